// Attribute parsers and shape rules of element-wise ops: unary math, activations, Cast, Dropout,
// and the NumPy-broadcasting binary, variadic and ternary ops.
#include <algorithm>
#include <limits>

#include "frontends/op_rules.h"

namespace conflux::frontends {

namespace {

void requireSameDtype(const NodeContext& node, size_t first, size_t second) {
  if (node.dtype(first) != node.dtype(second))
    node.fail(node.describeInput(first) + " is " + std::string(ir::dtypeName(node.dtype(first))) +
              " but " + node.describeInput(second) + " is " +
              std::string(ir::dtypeName(node.dtype(second))) + " (expected the same dtype)");
}

/// The broadcast shape of the given inputs; fails naming every shape when incompatible.
std::vector<int64_t> broadcastInputs(const NodeContext& node, const std::vector<size_t>& inputs) {
  std::vector<int64_t> shape = node.shape(inputs.front());
  for (size_t k = 1; k < inputs.size(); ++k) {
    std::optional<std::vector<int64_t>> joined = broadcastShapes(shape, node.shape(inputs[k]));
    if (!joined) {
      std::string shapes;
      for (size_t i : inputs) shapes += (shapes.empty() ? "" : " and ") + formatShape(node.shape(i));
      node.fail("cannot broadcast input shapes " + shapes +
                " (NumPy rules: trailing dimensions must match or be 1)");
    }
    shape = *joined;
  }
  return shape;
}

std::vector<size_t> allInputs(const NodeContext& node) {
  std::vector<size_t> inputs;
  for (size_t i = 0; i < node.numInputs(); ++i) {
    node.input(i);  // variadic inputs may not be omitted
    inputs.push_back(i);
  }
  return inputs;
}

}  // namespace

std::optional<std::vector<int64_t>> broadcastShapes(const std::vector<int64_t>& a,
                                                    const std::vector<int64_t>& b) {
  size_t rank = std::max(a.size(), b.size());
  std::vector<int64_t> result(rank);
  for (size_t k = 0; k < rank; ++k) {
    int64_t da = k < rank - a.size() ? 1 : a[k - (rank - a.size())];
    int64_t db = k < rank - b.size() ? 1 : b[k - (rank - b.size())];
    if (da != db && da != 1 && db != 1) return std::nullopt;
    result[k] = da == 1 ? db : da;
  }
  return result;
}

void requireFloat(const NodeContext& node, size_t i) {
  if (!ir::isFloat(node.dtype(i)))
    node.fail(node.describeInput(i) + " must be a floating-point tensor, got " +
              std::string(ir::dtypeName(node.dtype(i))));
}

void requireNumeric(const NodeContext& node, size_t i) {
  if (node.dtype(i) == ir::DType::Bool)
    node.fail(node.describeInput(i) + " must be numeric, got bool");
}

ir::OpAttrs parseNoAttrs(NodeContext&) { return ir::NoAttrs{}; }

/// An activation's attributes `alpha` and (when named) `beta`, kept as ActivationAttrs' alpha
/// and beta whatever ONNX calls them (Selu's gamma, Shrink's bias and lambd).
ir::OpAttrs parseActivation(NodeContext& node, std::string_view alpha, double alphaFallback,
                            std::string_view beta = {}, double betaFallback = 0.0) {
  ir::ActivationAttrs attrs;
  attrs.alpha = node.floatAttr(alpha, alphaFallback);
  if (!beta.empty()) attrs.beta = node.floatAttr(beta, betaFallback);
  return attrs;
}

ir::OpAttrs parseLeakyRelu(NodeContext& node) {
  return parseActivation(node, "alpha", 0.01);
}
ir::OpAttrs parseElu(NodeContext& node) {
  return parseActivation(node, "alpha", 1.0);
}
ir::OpAttrs parseCelu(NodeContext& node) {
  return parseActivation(node, "alpha", 1.0);
}
ir::OpAttrs parseThresholdedRelu(NodeContext& node) {
  return parseActivation(node, "alpha", 1.0);
}
ir::OpAttrs parseSelu(NodeContext& node) {
  return parseActivation(node, "alpha", 1.67326319217681884765625, "gamma",
                         1.05070102214813232421875);
}
ir::OpAttrs parseShrink(NodeContext& node) {
  return parseActivation(node, "bias", 0.0, "lambd", 0.5);
}
ir::OpAttrs parseHardSigmoid(NodeContext& node) {
  return parseActivation(node, "alpha", 0.2, "beta", 0.5);
}

ir::OpAttrs parseMod(NodeContext& node) {
  return ir::ModAttrs{node.intAttr("fmod", 0) != 0};
}

ir::OpAttrs parseIsInf(NodeContext& node) {
  return ir::IsInfAttrs{node.intAttr("detect_negative", 1) != 0,
                        node.intAttr("detect_positive", 1) != 0};
}

ir::OpAttrs parseClip(NodeContext& node) {
  ir::ActivationAttrs attrs;
  attrs.alpha = -std::numeric_limits<double>::infinity();
  attrs.beta = std::numeric_limits<double>::infinity();
  if (node.opset() < 11) {  // min and max were attributes
    attrs.alpha = node.floatAttr("min", attrs.alpha);
    attrs.beta = node.floatAttr("max", attrs.beta);
    return attrs;
  }
  if (node.hasInput(1)) attrs.alpha = node.constantScalar(1, "the lower bound");
  if (node.hasInput(2)) attrs.beta = node.constantScalar(2, "the upper bound");
  return attrs;
}

ir::OpAttrs parseGelu(NodeContext& node) {
  std::string approximate = node.stringAttr("approximate", "none");
  if (approximate != "none" && approximate != "tanh")
    node.fail("attribute 'approximate' must be \"none\" or \"tanh\", got \"" + approximate + "\"");
  ir::ActivationAttrs attrs;
  attrs.tanhApproximation = approximate == "tanh";
  return attrs;
}

ir::OpAttrs parseCast(NodeContext& node) {
  if (!node.hasAttr("to")) node.fail("attribute 'to' is required");
  node.ignoreAttrs({"saturate"});  // only affects float8 targets
  ir::CastAttrs attrs;
  if (std::holds_alternative<std::string>(node.node().attrs.at("to"))) {  // graph JSON spelling
    attrs.to = ir::parseDType(node.stringAttr("to", ""), node.node().describe() + " attribute 'to'");
    return attrs;
  }
  int64_t code = node.intAttr("to", 0);
  std::optional<ir::DType> to = dtypeFromOnnx(code);
  if (!to) node.fail("cast target " + unsupportedDtypeMessage(code));
  attrs.to = *to;
  return attrs;
}

ir::OpAttrs parseDropout(NodeContext& node) {
  node.ignoreAttrs({"seed", "ratio", "is_test"});  // ratio and is_test: opsets before 12
  if (node.hasInput(2) && node.constantScalar(2, "training mode") != 0) {
    double ratio = node.hasInput(1) ? node.constantScalar(1, "the drop ratio") : 0.5;
    if (ratio != 0) node.fail("training-mode Dropout is not supported (only inference)");
  }
  return ir::NoAttrs{};
}

void inferSameAsInput(NodeContext& node, const ir::OpAttrs&) { node.setOutput(0, node.input(0)); }

void inferSameAsFloatInput(NodeContext& node, const ir::OpAttrs&) {
  requireFloat(node, 0);
  node.setOutput(0, node.input(0));
}

void inferSameAsNumericInput(NodeContext& node, const ir::OpAttrs&) {
  requireNumeric(node, 0);
  node.setOutput(0, node.input(0));
}

void inferFloatPredicate(NodeContext& node, const ir::OpAttrs&) {
  requireFloat(node, 0);
  node.setOutput(0, {ir::DType::Bool, node.shape(0)});
}

void inferDropout(NodeContext& node, const ir::OpAttrs&) {
  node.setOutput(0, node.input(0));
  node.setOutput(1, {ir::DType::Bool, node.shape(0)});
}

ir::OpAttrs parseCastLike(NodeContext& node) {
  node.ignoreAttrs({"saturate"});  // only affects float8 targets
  return ir::CastAttrs{node.dtype(1)};
}

void inferCast(NodeContext& node, const ir::OpAttrs& attrs) {
  node.setOutput(0, {std::get<ir::CastAttrs>(attrs).to, node.shape(0)});
}

void inferBroadcast(NodeContext& node, const ir::OpAttrs&) {
  std::vector<size_t> inputs = allInputs(node);
  for (size_t i : inputs) requireSameDtype(node, 0, i);
  node.setOutput(0, {node.dtype(0), broadcastInputs(node, inputs)});
}

void inferPow(NodeContext& node, const ir::OpAttrs&) {
  node.setOutput(0, {node.dtype(0), broadcastInputs(node, {0, 1})});
}

void inferComparison(NodeContext& node, const ir::OpAttrs&) {
  requireSameDtype(node, 0, 1);
  node.setOutput(0, {ir::DType::Bool, broadcastInputs(node, {0, 1})});
}

void inferLogical(NodeContext& node, const ir::OpAttrs&) {
  std::vector<size_t> inputs;
  for (size_t i = 0; i < node.numInputs(); ++i) {
    if (node.dtype(i) != ir::DType::Bool)
      node.fail(node.describeInput(i) + " must be bool, got " +
                std::string(ir::dtypeName(node.dtype(i))));
    inputs.push_back(i);
  }
  node.setOutput(0, {ir::DType::Bool, broadcastInputs(node, inputs)});
}

void inferPRelu(NodeContext& node, const ir::OpAttrs&) {
  requireSameDtype(node, 0, 1);
  if (broadcastInputs(node, {0, 1}) != node.shape(0))
    node.fail("the slope (input 1) must broadcast to the input's shape");
  node.setOutput(0, node.input(0));
}

void inferMod(NodeContext& node, const ir::OpAttrs& attrs) {
  requireSameDtype(node, 0, 1);
  requireNumeric(node, 0);
  if (ir::isFloat(node.dtype(0)) && !std::get<ir::ModAttrs>(attrs).fmod)
    node.fail("attribute 'fmod' must be 1 for floating-point inputs");
  node.setOutput(0, {node.dtype(0), broadcastInputs(node, {0, 1})});
}

void inferWhere(NodeContext& node, const ir::OpAttrs&) {
  if (node.dtype(0) != ir::DType::Bool)
    node.fail("the condition (input 0) must be bool, got " + std::string(ir::dtypeName(node.dtype(0))));
  requireSameDtype(node, 1, 2);
  node.setOutput(0, {node.dtype(1), broadcastInputs(node, {0, 1, 2})});
}

}  // namespace conflux::frontends
