#include "frontends/known_inputs.h"

#include <algorithm>
#include <set>

#include "frontends/op_table.h"
#include "ir/error.h"

namespace conflux::frontends {

namespace {

/// The tensors whose values some node needs: its value inputs and, transitively, everything
/// they are computed from (except through Shape, Size and EyeLike, which need only their input's
/// shape).
std::set<std::string> valueNeededTensors(const Model& model) {
  std::set<std::string> needed;
  for (auto node = model.nodes.rbegin(); node != model.nodes.rend(); ++node) {  // consumers first
    const OpInfo* info = findOp(node->op);
    bool outputNeeded = std::any_of(node->outputs.begin(), node->outputs.end(),
                                    [&](const std::string& out) { return needed.count(out) != 0; });
    bool propagates = outputNeeded && info->kind != ir::OpKind::Shape &&
                      info->kind != ir::OpKind::Size && info->kind != ir::OpKind::EyeLike;
    for (size_t i = 0; i < node->inputs.size(); ++i)
      if (!node->inputs[i].empty() && !info->isTypeInput(i) &&
          (propagates || info->isValueInput(i)))
        needed.insert(node->inputs[i]);
  }
  return needed;
}

/// Fails unless `value` fits what the model declares about input `name`.
void checkAgainstDeclaration(const std::string& name, const TensorDecl& decl, const ir::Tensor& value) {
  std::string what = "known value of graph input '" + name + "'";
  if (decl.dtype && *decl.dtype != value.dtype())
    throw Error(what + " has dtype " + std::string(ir::dtypeName(value.dtype())) + ", the model declares " +
                std::string(ir::dtypeName(*decl.dtype)));
  if (!decl.shape) return;
  bool matches = decl.shape->size() == value.shape().size();
  for (size_t d = 0; matches && d < decl.shape->size(); ++d)
    matches = (*decl.shape)[d] == kUnknownDim || (*decl.shape)[d] == value.shape()[d];
  if (!matches)
    throw Error(what + " has shape " + formatShape(value.shape()) + ", the model declares " +
                formatShape(*decl.shape));
}

}  // namespace

void applyKnownInputs(Model& model, const std::map<std::string, ir::Tensor>& knownInputs) {
  if (knownInputs.empty()) return;
  std::set<std::string> needed = valueNeededTensors(model);
  for (const auto& [name, value] : knownInputs) {
    auto input = std::find(model.inputs.begin(), model.inputs.end(), name);
    if (input == model.inputs.end()) {
      if (model.tensors.count(name) && model.tensors[name].value) continue;  // already a constant
      throw Error("known input '" + name + "' is not a graph input of the model");
    }
    TensorDecl& decl = model.tensors[name];
    checkAgainstDeclaration(name, decl, value);
    decl.dtype = value.dtype();
    decl.shape = value.shape();
    if (!needed.count(name)) continue;
    decl.value = std::make_shared<const ir::Tensor>(value);
    model.inputs.erase(input);
  }
}

}  // namespace conflux::frontends
