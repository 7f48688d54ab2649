#include "frontends/shape_inference.h"

#include <algorithm>

#include "frontends/constant_folding.h"
#include "frontends/op_table.h"
#include "ir/error.h"

namespace conflux::frontends {

namespace {

/// Nodes whose inputs and outputs all have at most this many elements are folded when their
/// inputs are constants (shape arithmetic); larger ones stay in the graph.
constexpr int64_t kSmallTensorElements = int64_t{1} << 16;

/// Types of graph inputs and values of constants, before any node runs.
TensorFacts initialFacts(const Model& model) {
  TensorFacts facts;
  for (const std::string& name : model.inputs) {
    const TensorDecl& decl = model.tensors.at(name);
    std::string what = "graph input '" + name + "'";
    if (!decl.dtype) throw Error(what + " has no declared dtype");
    if (!decl.shape || std::count(decl.shape->begin(), decl.shape->end(), kUnknownDim) > 0)
      throw Error(
          what + " has an open shape " +
          (decl.shape ? formatShape(*decl.shape, decl.dimNames) : "(unknown rank)") +
          "; Conflux compiles static shapes: give the sizes (conflux --dims NAME=SIZE or --shapes "
          "INPUT=AxBx..., LoadOptions::dimensions in the library) or export the model with fixed "
          "dimensions");
    checkedElementCount(*decl.shape, what);
    facts.types[name] = {*decl.dtype, *decl.shape};
  }
  for (const auto& [name, decl] : model.tensors) {
    if (!decl.value) continue;
    facts.types[name] = {decl.value->dtype(), decl.value->shape()};
    facts.values[name] = decl.value;
  }
  return facts;
}

/// Fails when the model declares a dtype or shape for `name` that differs from the inferred one.
void checkDeclaration(const Model& model, const ModelNode& node, const std::string& name, const TensorType& type) {
  auto it = model.tensors.find(name);
  if (it == model.tensors.end()) return;
  const TensorDecl& decl = it->second;
  bool matches = !decl.dtype || *decl.dtype == type.dtype;
  if (decl.shape) {
    matches = matches && decl.shape->size() == type.shape.size();
    for (size_t d = 0; matches && d < type.shape.size(); ++d)
      matches = (*decl.shape)[d] == kUnknownDim || (*decl.shape)[d] == type.shape[d];
  }
  if (!matches)
    throw Error("tensor '" + name + "' is declared as " +
                (decl.dtype ? std::string(ir::dtypeName(*decl.dtype)) : std::string("?")) + " " +
                (decl.shape ? formatShape(*decl.shape) : std::string("[...]")) + " but " + node.describe() +
                " produces " + std::string(ir::dtypeName(type.dtype)) + " " + formatShape(type.shape));
}

void checkArity(const ModelNode& node, const OpInfo& info) {
  size_t count = node.inputs.size();
  while (count > 0 && node.inputs[count - 1].empty()) --count;  // trailing omitted inputs
  if (count < info.minInputs || count > info.maxInputs) {
    std::string expected = info.minInputs == info.maxInputs ? std::to_string(info.minInputs)
                           : info.maxInputs == static_cast<size_t>(-1)
                               ? "at least " + std::to_string(info.minInputs)
                               : std::to_string(info.minInputs) + " to " + std::to_string(info.maxInputs);
    throw Error(node.describe() + ": has " + std::to_string(count) + " inputs, expected " + expected);
  }
}

bool isSmall(const std::vector<int64_t>& shape) {
  int64_t count = 1;
  for (int64_t d : shape) count *= d;
  return count <= kSmallTensorElements;
}

/// Whether every input is a constant and every tensor involved is small.
bool isFoldable(const NodeContext& context) {
  for (size_t i = 0; i < context.numInputs(); ++i) {
    if (!context.hasInput(i)) continue;
    const ir::Tensor* value = context.value(i);
    if (!value || value->numElements() > kSmallTensorElements) return false;
  }
  for (size_t i = 0; i < context.numOutputs(); ++i)
    if (context.hasOutput(i) && !isSmall(context.output(i)->shape)) return false;
  return true;
}

InferredNode inferNode(const Model& model, const ModelNode& node, TensorFacts& facts) {
  const OpInfo& info = *findOp(node.op);
  checkArity(node, info);
  NodeContext context(node, model.opset, facts, info.kind);
  InferredNode result;
  result.attrs = info.parse(context);
  info.infer(context, result.attrs);
  context.checkAllAttrsRead();
  result.kind = context.kind();
  bool allKnown = true;
  for (size_t i = 0; i < node.outputs.size(); ++i) {
    if (!context.hasOutput(i)) continue;
    if (!context.output(i)) context.fail("output " + std::to_string(i) + " '" + node.outputs[i] + "' is not supported");
    checkDeclaration(model, node, node.outputs[i], *context.output(i));
    allKnown = allKnown && context.outputValue(i) != nullptr;
  }
  std::vector<std::shared_ptr<const ir::Tensor>> values(node.outputs.size());
  for (size_t i = 0; i < node.outputs.size(); ++i) values[i] = context.outputValue(i);
  if (!allKnown && isFoldable(context)) {
    if (std::optional<std::vector<ir::Tensor>> folded = foldNode(context, result.attrs)) {
      for (size_t i = 0; i < folded->size(); ++i)
        if (context.hasOutput(i)) values[i] = std::make_shared<const ir::Tensor>(std::move((*folded)[i]));
      allKnown = true;
    }
  }
  for (size_t i = 0; i < node.outputs.size(); ++i) {
    if (!context.hasOutput(i)) continue;
    facts.types[node.outputs[i]] = *context.output(i);
    if (allKnown) facts.values[node.outputs[i]] = values[i];
  }
  result.folded = allKnown;
  return result;
}

}  // namespace

InferredModel inferModel(const Model& model) {
  InferredModel inferred;
  inferred.facts = initialFacts(model);
  for (const ModelNode& node : model.nodes) inferred.nodes.push_back(inferNode(model, node, inferred.facts));
  return inferred;
}

}  // namespace conflux::frontends
