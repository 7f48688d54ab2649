// Attribute parsers and shape rules of normalisations and reductions: BatchNormalization,
// LayerNormalization, InstanceNormalization, MeanVarianceNormalization, Softmax, LogSoftmax, the
// Reduce* family, ArgMax and ArgMin, TopK, LRN.
#include <algorithm>
#include <functional>
#include <numeric>

#include "frontends/op_rules.h"

namespace conflux::frontends {

ir::OpAttrs parseBatchNormalization(NodeContext& node) {
  ir::NormAttrs attrs;
  attrs.epsilon = node.floatAttr("epsilon", 1e-5);
  node.ignoreAttrs({"momentum", "is_test"});
  if (node.intAttr("training_mode", 0) != 0) node.fail("training mode is not supported (only inference)");
  if (node.intAttr("spatial", 1) != 1) node.fail("spatial=0 (opsets before 9) is not supported");
  return attrs;
}

namespace {

/// Fails unless inputs [1, end) hold one value per channel (dimension 1) of input 0.
void requirePerChannel(const NodeContext& node, size_t end) {
  const std::vector<int64_t>& x = node.shape(0);
  for (size_t i = 1; i < end; ++i)
    if (node.shape(i) != std::vector<int64_t>{x[1]})
      node.fail(node.describeInput(i) + " of shape " + formatShape(node.shape(i)) + " must have shape [" +
                std::to_string(x[1]) + "] (one value per channel of X " + formatShape(x) + ")");
}

}  // namespace

void inferBatchNormalization(NodeContext& node, const ir::OpAttrs&) {
  const std::vector<int64_t>& x = node.shape(0);
  if (x.size() < 2) node.fail("input X must have rank >= 2 (N, C, ...), got " + formatShape(x));
  requirePerChannel(node, 5);
  for (size_t i = 1; i < node.numOutputs(); ++i)
    if (node.hasOutput(i)) node.fail("the running mean/variance outputs (training) are not supported");
  node.setOutput(0, node.input(0));
}

ir::OpAttrs parseInstanceNormalization(NodeContext& node) {
  ir::NormAttrs attrs;
  attrs.epsilon = node.floatAttr("epsilon", 1e-5);
  attrs.axis = 2;  // normalised from the first spatial dimension on
  return attrs;
}

void inferInstanceNormalization(NodeContext& node, const ir::OpAttrs&) {
  const std::vector<int64_t>& x = node.shape(0);
  if (x.size() < 3)
    node.fail("input must have rank >= 3 (N, C, spatial...), got " + formatShape(x));
  requireFloat(node, 0);
  requirePerChannel(node, 3);
  node.setOutput(0, node.input(0));
}

ir::OpAttrs parseLayerNormalization(NodeContext& node) {
  ir::NormAttrs attrs;
  attrs.epsilon = node.floatAttr("epsilon", 1e-5);
  attrs.axis = node.normalizeAxis(node.intAttr("axis", -1), node.rank(0), "attribute 'axis'");
  if (node.intAttr("stash_type", 1) != 1) node.fail("only stash_type 1 (float32) is supported");
  return attrs;
}

void inferLayerNormalization(NodeContext& node, const ir::OpAttrs& attrs) {
  int64_t axis = std::get<ir::NormAttrs>(attrs).axis;
  const std::vector<int64_t>& x = node.shape(0);
  std::vector<int64_t> normalized(x.begin() + axis, x.end());
  for (size_t i = 1; i < 3; ++i)
    if (node.hasInput(i) && broadcastShapes(node.shape(i), normalized) != normalized)
      node.fail(node.describeInput(i) + " of shape " + formatShape(node.shape(i)) +
                " does not broadcast to the normalised dimensions " + formatShape(normalized));
  node.setOutput(0, node.input(0));
  std::vector<int64_t> statistics = x;
  std::fill(statistics.begin() + axis, statistics.end(), 1);
  node.setOutput(1, {ir::DType::F32, statistics});
  node.setOutput(2, {ir::DType::F32, statistics});
}

ir::OpAttrs parseSoftmax(NodeContext& node) {
  int64_t rank = node.rank(0);
  if (rank == 0) node.fail("input must have rank >= 1");
  bool flattening = node.opset() < 13;  // older opsets: softmax over all dims from axis on
  int64_t axis = node.normalizeAxis(node.intAttr("axis", flattening ? 1 : -1), rank, "attribute 'axis'");
  const std::vector<int64_t>& x = node.shape(0);
  if (flattening && std::accumulate(x.begin() + axis + 1, x.end(), int64_t{1}, std::multiplies<>()) != 1)
    node.fail("opset " + std::to_string(node.opset()) + " normalises over all dimensions from axis " +
              std::to_string(axis) + " of " + formatShape(x) + ", which is not supported (use opset >= 13)");
  return ir::AxisAttrs{axis};
}

ir::OpAttrs parseReduce(NodeContext& node) {
  std::optional<std::vector<int64_t>> axes = node.intsFromInputOrAttr(1, "axes", "the reduced axes");
  ir::ReduceAttrs attrs;
  attrs.keepDims = node.intAttr("keepdims", 1) != 0;
  bool noop = node.intAttr("noop_with_empty_axes", 0) != 0;
  if (!axes || axes->empty()) {
    if (noop) node.setKind(ir::OpKind::Identity);  // nothing to reduce
    return noop ? ir::OpAttrs(ir::NoAttrs{}) : ir::OpAttrs(attrs);
  }
  for (int64_t axis : *axes) attrs.axes.push_back(node.normalizeAxis(axis, node.rank(0), "reduced axis"));
  std::sort(attrs.axes.begin(), attrs.axes.end());
  if (std::adjacent_find(attrs.axes.begin(), attrs.axes.end()) != attrs.axes.end())
    node.fail("reduced axes " + formatShape(*axes) + " repeat an axis");
  return attrs;
}

ir::OpAttrs parseMeanVarianceNormalization(NodeContext& node) {
  ir::ReduceAttrs attrs;
  attrs.keepDims = true;
  for (int64_t axis : node.intsAttr("axes", {0, 2, 3}))
    attrs.axes.push_back(node.normalizeAxis(axis, node.rank(0), "normalised axis"));
  std::sort(attrs.axes.begin(), attrs.axes.end());
  if (std::adjacent_find(attrs.axes.begin(), attrs.axes.end()) != attrs.axes.end())
    node.fail("normalised axes repeat an axis");
  return attrs;
}

ir::OpAttrs parseArgReduce(NodeContext& node) {
  return ir::ArgReduceAttrs{node.normalizeAxis(node.intAttr("axis", 0), node.rank(0), "axis"),
                            node.intAttr("keepdims", 1) != 0,
                            node.intAttr("select_last_index", 0) != 0};
}

void inferArgReduce(NodeContext& node, const ir::OpAttrs& attrs) {
  requireNumeric(node, 0);
  const auto& arg = std::get<ir::ArgReduceAttrs>(attrs);
  std::vector<int64_t> out = node.shape(0);
  if (arg.keepDims)
    out[static_cast<size_t>(arg.axis)] = 1;
  else
    out.erase(out.begin() + arg.axis);
  node.setOutput(0, {ir::DType::I64, out});
}

void inferReduce(NodeContext& node, const ir::OpAttrs& attrs) {
  if (node.kind() == ir::OpKind::Identity) return node.setOutput(0, node.input(0));
  const auto& reduce = std::get<ir::ReduceAttrs>(attrs);
  const std::vector<int64_t>& x = node.shape(0);
  std::vector<int64_t> out;
  for (int64_t d = 0; d < static_cast<int64_t>(x.size()); ++d) {
    bool reduced = reduce.axes.empty() ||
                   std::binary_search(reduce.axes.begin(), reduce.axes.end(), d);
    if (!reduced) out.push_back(x[d]);
    else if (reduce.keepDims) out.push_back(1);
  }
  node.setOutput(0, {node.dtype(0), out});
}

ir::OpAttrs parseLrn(NodeContext& node) {
  ir::LrnAttrs attrs;
  attrs.alpha = node.floatAttr("alpha", 1e-4);
  attrs.beta = node.floatAttr("beta", 0.75);
  attrs.bias = node.floatAttr("bias", 1.0);
  attrs.size = node.intAttr("size", 0);
  if (attrs.size < 1)
    node.fail("attribute 'size' must be at least 1, got " + std::to_string(attrs.size));
  return attrs;
}

void inferLrn(NodeContext& node, const ir::OpAttrs&) {
  requireFloat(node, 0);
  if (node.rank(0) < 3)
    node.fail("input must have rank >= 3 (N, C, spatial...), got " + formatShape(node.shape(0)));
  node.setOutput(0, node.input(0));
}

ir::OpAttrs parseTopK(NodeContext& node) {
  ir::TopKAttrs attrs;
  attrs.axis = node.normalizeAxis(node.intAttr("axis", -1), node.rank(0), "attribute 'axis'");
  attrs.largest = node.intAttr("largest", 1) != 0;
  node.ignoreAttrs({"sorted"});  // always sorted, which sorted = 0 allows
  std::optional<std::vector<int64_t>> k =
      node.intsFromInputOrAttr(1, "k", "the number of elements kept");
  if (!k || k->size() != 1) node.fail("k must be one integer");
  attrs.k = k->front();
  int64_t extent = node.shape(0)[static_cast<size_t>(attrs.axis)];
  if (attrs.k < 1 || attrs.k > extent)
    node.fail("k = " + std::to_string(attrs.k) + " must be in [1, " + std::to_string(extent) +
              "] (the axis' length)");
  return attrs;
}

void inferTopK(NodeContext& node, const ir::OpAttrs& attrs) {
  const auto& topK = std::get<ir::TopKAttrs>(attrs);
  requireNumeric(node, 0);
  std::vector<int64_t> out = node.shape(0);
  out[static_cast<size_t>(topK.axis)] = topK.k;
  node.setOutput(0, {node.dtype(0), out});
  node.setOutput(1, {ir::DType::I64, out});
}

}  // namespace conflux::frontends
