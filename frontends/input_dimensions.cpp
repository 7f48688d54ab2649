#include "frontends/input_dimensions.h"

#include <algorithm>
#include <set>

#include "ir/error.h"

namespace conflux::frontends {

namespace {

/// "'a', 'b'": the names, for messages.
std::string quoted(const std::set<std::string>& names) {
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "'" : ", '") + name + "'";
  return text.empty() ? "none" : text;
}

/// Sets the open dimensions named in `named` of every graph input; fails naming a dimension no
/// input has.
void fixNamedDimensions(Model& model, const std::map<std::string, int64_t>& named) {
  for (const auto& [name, size] : named)
    if (size < 1)
      throw Error("dimension '" + name + "' must be at least 1, got " + std::to_string(size));
  std::set<std::string> present;
  for (const std::string& input : model.inputs) {
    TensorDecl& decl = model.tensors.at(input);
    for (size_t d = 0; d < decl.dimNames.size(); ++d) {
      if (decl.dimNames[d].empty()) continue;
      present.insert(decl.dimNames[d]);
      if (auto it = named.find(decl.dimNames[d]); it != named.end()) (*decl.shape)[d] = it->second;
    }
  }
  for (const auto& entry : named)
    if (!present.count(entry.first))
      throw Error("no graph input has a dimension named '" + entry.first +
                  "' (named dimensions: " + quoted(present) + ")");
}

/// Declares graph input `name` as `shape`; fails unless it agrees with the declaration.
void fixShape(Model& model, const std::string& name, const std::vector<int64_t>& shape) {
  if (std::find(model.inputs.begin(), model.inputs.end(), name) == model.inputs.end())
    throw Error("'" + name + "' is no graph input (graph inputs: " +
                quoted({model.inputs.begin(), model.inputs.end()}) + ")");
  std::string what = "graph input '" + name + "'";
  if (std::any_of(shape.begin(), shape.end(), [](int64_t size) { return size < 1; }))
    throw Error(what + ": every dimension of the given shape " + formatShape(shape) +
                " must be at least 1");
  TensorDecl& decl = model.tensors.at(name);
  if (decl.shape) {
    bool agrees = decl.shape->size() == shape.size();
    for (size_t d = 0; agrees && d < shape.size(); ++d)
      agrees = (*decl.shape)[d] == kUnknownDim || (*decl.shape)[d] == shape[d];
    if (!agrees)
      throw Error(what + " is declared " + formatShape(*decl.shape, decl.dimNames) +
                  ", which the given shape " + formatShape(shape) + " does not fit");
  }
  decl.shape = shape;
}

}  // namespace

void fixInputDimensions(Model& model, const InputDimensions& dims) {
  fixNamedDimensions(model, dims.named);
  for (const auto& [name, shape] : dims.shapes) fixShape(model, name, shape);
  if (!dims.shapeOf) return;
  for (const std::string& input : model.inputs) {
    const std::optional<std::vector<int64_t>>& declared = model.tensors.at(input).shape;
    bool open = !declared || std::count(declared->begin(), declared->end(), kUnknownDim) > 0;
    if (!open) continue;
    if (std::optional<std::vector<int64_t>> shape = dims.shapeOf(input))
      fixShape(model, input, *shape);
  }
}

}  // namespace conflux::frontends
