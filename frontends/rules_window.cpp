// Attribute parsers and shape rules of sliding-window ops: Conv, ConvTranspose, MaxPool,
// AveragePool and the global pools. Defaults are filled in and auto_pad / output_shape are
// resolved into explicit pads, so expansions never see ONNX defaults.
#include "frontends/op_rules.h"

namespace conflux::frontends {

namespace {

std::string listText(const std::vector<int64_t>& values) { return formatShape(values); }

/// The extent of a dilated kernel along one dimension.
int64_t extent(int64_t kernel, int64_t dilation) { return (kernel - 1) * dilation + 1; }

/// The input's spatial rank (all dimensions after N and C); fails when the input is too small.
size_t spatialRank(const NodeContext& node) {
  if (node.rank(0) < 3)
    node.fail("input X must have rank >= 3 (N, C, spatial...), got shape " + formatShape(node.shape(0)));
  return node.shape(0).size() - 2;
}

/// A per-spatial-dimension attribute (strides, dilations, kernel_shape): `fallback` repeated
/// when absent; fails when its length is wrong or a value is below `minimum`.
std::vector<int64_t> spatialAttr(const NodeContext& node, std::string_view name, size_t spatial,
                                 int64_t fallback, int64_t minimum) {
  std::vector<int64_t> values = node.intsAttr(name, std::vector<int64_t>(spatial, fallback));
  if (values.size() != spatial)
    node.fail("attribute '" + std::string(name) + "' " + listText(values) + " must have " +
              std::to_string(spatial) + " values (one per spatial dimension)");
  for (int64_t v : values)
    if (v < minimum)
      node.fail("attribute '" + std::string(name) + "' " + listText(values) + " must have values >= " +
                std::to_string(minimum));
  return values;
}

/// Pads [begin..., end...] from `pads` or `auto_pad` for a forward window (Conv, pools):
/// SAME_* pads so that output = ceil(input / stride), the odd element at the end (UPPER) or the
/// beginning (LOWER).
std::vector<int64_t> forwardPads(const NodeContext& node, const std::vector<int64_t>& kernel,
                                 const std::vector<int64_t>& strides,
                                 const std::vector<int64_t>& dilations) {
  size_t spatial = kernel.size();
  std::string autoPad = node.stringAttr("auto_pad", "NOTSET");
  std::vector<int64_t> pads(2 * spatial, 0);
  if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    if (node.hasAttr("pads")) node.fail("gives both 'pads' and auto_pad " + autoPad);
    for (size_t d = 0; d < spatial; ++d) {
      int64_t in = node.shape(0)[d + 2];
      int64_t out = (in + strides[d] - 1) / strides[d];
      int64_t total = std::max<int64_t>(0, (out - 1) * strides[d] + extent(kernel[d], dilations[d]) - in);
      int64_t small = total / 2, large = total - small;
      pads[d] = autoPad == "SAME_UPPER" ? small : large;
      pads[d + spatial] = autoPad == "SAME_UPPER" ? large : small;
    }
    return pads;
  }
  if (autoPad == "VALID") return pads;
  if (autoPad != "NOTSET")
    node.fail("attribute 'auto_pad' must be NOTSET, SAME_UPPER, SAME_LOWER or VALID, got " + autoPad);
  pads = node.intsAttr("pads", pads);
  if (pads.size() != 2 * spatial)
    node.fail("attribute 'pads' " + listText(pads) + " must have " + std::to_string(2 * spatial) +
              " values (begin and end per spatial dimension)");
  for (int64_t p : pads)
    if (p < 0) node.fail("attribute 'pads' " + listText(pads) + " must not be negative");
  return pads;
}

/// Fails unless every window fits in the padded input.
void checkWindowFits(const NodeContext& node, const std::vector<int64_t>& kernel,
                     const std::vector<int64_t>& dilations, const std::vector<int64_t>& pads) {
  size_t spatial = kernel.size();
  for (size_t d = 0; d < spatial; ++d) {
    int64_t padded = node.shape(0)[d + 2] + pads[d] + pads[d + spatial];
    if (extent(kernel[d], dilations[d]) > padded)
      node.fail("kernel of extent " + std::to_string(extent(kernel[d], dilations[d])) +
                " is larger than the padded input (" + std::to_string(padded) +
                ") along spatial dimension " + std::to_string(d) + " of input shape " +
                formatShape(node.shape(0)));
  }
}

/// Kernel shape from the attribute, or from the weight's spatial dimensions.
std::vector<int64_t> convKernel(const NodeContext& node, size_t spatial) {
  const std::vector<int64_t>& w = node.shape(1);
  if (w.size() != spatial + 2)
    node.fail("weight W of shape " + formatShape(w) + " must have rank " + std::to_string(spatial + 2) +
              " like input X " + formatShape(node.shape(0)));
  std::vector<int64_t> fromWeight(w.begin() + 2, w.end());
  std::vector<int64_t> kernel = spatialAttr(node, "kernel_shape", spatial, 1, 1);
  if (node.hasAttr("kernel_shape") && kernel != fromWeight)
    node.fail("attribute 'kernel_shape' " + listText(kernel) + " differs from the weight's " +
              listText(fromWeight));
  return fromWeight;
}

int64_t convGroup(const NodeContext& node) {
  int64_t group = node.intAttr("group", 1);
  if (group < 1) node.fail("attribute 'group' must be positive, got " + std::to_string(group));
  return group;
}

void checkBias(const NodeContext& node, int64_t channels) {
  if (node.hasInput(2) && node.shape(2) != std::vector<int64_t>{channels})
    node.fail("bias B of shape " + formatShape(node.shape(2)) + " must have shape [" +
              std::to_string(channels) + "]");
}

void requireSameDtypes(const NodeContext& node) {
  for (size_t i = 1; i < node.numInputs(); ++i)
    if (node.hasInput(i) && node.dtype(i) != node.dtype(0))
      node.fail(node.describeInput(i) + " has dtype " + std::string(ir::dtypeName(node.dtype(i))) +
                ", expected " + std::string(ir::dtypeName(node.dtype(0))) + " like X");
}

}  // namespace

ir::OpAttrs parseConv(NodeContext& node) {
  size_t spatial = spatialRank(node);
  ir::ConvAttrs attrs;
  attrs.kernelShape = convKernel(node, spatial);
  attrs.strides = spatialAttr(node, "strides", spatial, 1, 1);
  attrs.dilations = spatialAttr(node, "dilations", spatial, 1, 1);
  attrs.group = convGroup(node);
  attrs.pads = forwardPads(node, attrs.kernelShape, attrs.strides, attrs.dilations);
  checkWindowFits(node, attrs.kernelShape, attrs.dilations, attrs.pads);
  return attrs;
}

void inferConv(NodeContext& node, const ir::OpAttrs& attrs) {
  const auto& conv = std::get<ir::ConvAttrs>(attrs);
  requireSameDtypes(node);
  const std::vector<int64_t>& x = node.shape(0);
  const std::vector<int64_t>& w = node.shape(1);
  size_t spatial = conv.kernelShape.size();
  if (x[1] % conv.group != 0 || w[0] % conv.group != 0 || w[1] * conv.group != x[1])
    node.fail("channels do not match: X " + formatShape(x) + ", W " + formatShape(w) + ", group " +
              std::to_string(conv.group) + " (expected W[1] * group == X[1] and group dividing W[0])");
  checkBias(node, w[0]);
  std::vector<int64_t> out{x[0], w[0]};
  for (size_t d = 0; d < spatial; ++d) {
    int64_t padded = x[d + 2] + conv.pads[d] + conv.pads[d + spatial];
    out.push_back((padded - extent(conv.kernelShape[d], conv.dilations[d])) / conv.strides[d] + 1);
  }
  node.setOutput(0, {node.dtype(0), out});
}

ir::OpAttrs parseConvTranspose(NodeContext& node) {
  size_t spatial = spatialRank(node);
  ir::ConvAttrs attrs;
  attrs.kernelShape = convKernel(node, spatial);
  attrs.strides = spatialAttr(node, "strides", spatial, 1, 1);
  attrs.dilations = spatialAttr(node, "dilations", spatial, 1, 1);
  attrs.outputPadding = spatialAttr(node, "output_padding", spatial, 0, 0);
  attrs.group = convGroup(node);
  std::string autoPad = node.stringAttr("auto_pad", "NOTSET");
  if (autoPad != "NOTSET" && autoPad != "VALID" && autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    node.fail("attribute 'auto_pad' must be NOTSET, SAME_UPPER, SAME_LOWER or VALID, got " + autoPad);
  const std::vector<int64_t>& x = node.shape(0);
  // The full (unpadded) output extent per dimension.
  std::vector<int64_t> full(spatial);
  for (size_t d = 0; d < spatial; ++d)
    full[d] = attrs.strides[d] * (x[d + 2] - 1) + attrs.outputPadding[d] +
              extent(attrs.kernelShape[d], attrs.dilations[d]);
  std::vector<int64_t> target = node.intsAttr("output_shape");
  if (target.size() == spatial + 2) target.erase(target.begin(), target.begin() + 2);
  if (!target.empty() && target.size() != spatial)
    node.fail("attribute 'output_shape' " + listText(target) + " must have one value per spatial dimension");
  if (target.empty() && (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER"))
    for (size_t d = 0; d < spatial; ++d) target.push_back(x[d + 2] * attrs.strides[d]);
  if (target.empty()) {
    attrs.pads = autoPad == "VALID" ? std::vector<int64_t>(2 * spatial, 0)
                                    : node.intsAttr("pads", std::vector<int64_t>(2 * spatial, 0));
    if (attrs.pads.size() != 2 * spatial)
      node.fail("attribute 'pads' " + listText(attrs.pads) + " must have " + std::to_string(2 * spatial) + " values");
    for (int64_t p : attrs.pads)
      if (p < 0) node.fail("attribute 'pads' " + listText(attrs.pads) + " must not be negative");
    return attrs;
  }
  node.ignoreAttrs({"pads"});  // output_shape takes precedence (as in ONNX Runtime)
  attrs.pads.assign(2 * spatial, 0);
  for (size_t d = 0; d < spatial; ++d) {
    if (target[d] < 1) node.fail("attribute 'output_shape' " + listText(target) + " must be positive");
    int64_t total = full[d] - target[d];
    if (total < 0) {  // a larger output than the full one: extra zero rows at the end
      attrs.outputPadding[d] -= total;
      continue;
    }
    int64_t small = total / 2, large = total - small;
    attrs.pads[d] = autoPad == "SAME_UPPER" ? small : large;
    attrs.pads[d + spatial] = autoPad == "SAME_UPPER" ? large : small;
  }
  return attrs;
}

void inferConvTranspose(NodeContext& node, const ir::OpAttrs& attrs) {
  const auto& conv = std::get<ir::ConvAttrs>(attrs);
  requireSameDtypes(node);
  const std::vector<int64_t>& x = node.shape(0);
  const std::vector<int64_t>& w = node.shape(1);
  size_t spatial = conv.kernelShape.size();
  if (w[0] != x[1] || x[1] % conv.group != 0)
    node.fail("channels do not match: X " + formatShape(x) + ", W " + formatShape(w) + ", group " +
              std::to_string(conv.group) + " (expected W[0] == X[1], divisible by group)");
  int64_t channels = w[1] * conv.group;
  checkBias(node, channels);
  std::vector<int64_t> out{x[0], channels};
  for (size_t d = 0; d < spatial; ++d) {
    int64_t size = conv.strides[d] * (x[d + 2] - 1) + conv.outputPadding[d] +
                   extent(conv.kernelShape[d], conv.dilations[d]) - conv.pads[d] - conv.pads[d + spatial];
    if (size < 1)
      node.fail("pads " + listText(conv.pads) + " leave no output along spatial dimension " + std::to_string(d));
    out.push_back(size);
  }
  node.setOutput(0, {node.dtype(0), out});
}

ir::OpAttrs parsePool(NodeContext& node) {
  size_t spatial = spatialRank(node);
  bool isMax = node.node().op == "MaxPool";
  if (!node.hasAttr("kernel_shape")) node.fail("attribute 'kernel_shape' is required");
  ir::PoolAttrs attrs;
  attrs.kernelShape = spatialAttr(node, "kernel_shape", spatial, 1, 1);
  attrs.strides = spatialAttr(node, "strides", spatial, 1, 1);
  attrs.dilations = spatialAttr(node, "dilations", spatial, 1, 1);
  attrs.ceilMode = node.intAttr("ceil_mode", 0) != 0;
  if (isMax) node.ignoreAttrs({"storage_order"});  // only affects the unsupported Indices output
  else attrs.countIncludePad = node.intAttr("count_include_pad", 0) != 0;
  attrs.pads = forwardPads(node, attrs.kernelShape, attrs.strides, attrs.dilations);
  for (size_t d = 0; d < spatial; ++d)
    if (std::max(attrs.pads[d], attrs.pads[d + spatial]) >= extent(attrs.kernelShape[d], attrs.dilations[d]))
      node.fail("pads " + listText(attrs.pads) + " must be smaller than the kernel " +
                listText(attrs.kernelShape));
  checkWindowFits(node, attrs.kernelShape, attrs.dilations, attrs.pads);
  return attrs;
}

void inferPool(NodeContext& node, const ir::OpAttrs& attrs) {
  const auto& pool = std::get<ir::PoolAttrs>(attrs);
  if (node.hasOutput(1)) node.fail("the Indices output of MaxPool is not supported");
  const std::vector<int64_t>& x = node.shape(0);
  size_t spatial = pool.kernelShape.size();
  std::vector<int64_t> out{x[0], x[1]};
  for (size_t d = 0; d < spatial; ++d) {
    int64_t span = x[d + 2] + pool.pads[d] + pool.pads[d + spatial] -
                   extent(pool.kernelShape[d], pool.dilations[d]);
    int64_t size = (pool.ceilMode ? (span + pool.strides[d] - 1) / pool.strides[d] : span / pool.strides[d]) + 1;
    // A ceil-mode window must start inside the input or its begin padding (PyTorch, ONNX Runtime).
    if (pool.ceilMode && (size - 1) * pool.strides[d] >= x[d + 2] + pool.pads[d]) --size;
    out.push_back(size);
  }
  node.setOutput(0, {node.dtype(0), out});
}

void inferGlobalPool(NodeContext& node, const ir::OpAttrs&) {
  spatialRank(node);
  std::vector<int64_t> out = node.shape(0);
  std::fill(out.begin() + 2, out.end(), 1);
  node.setOutput(0, {node.dtype(0), out});
}

}  // namespace conflux::frontends
