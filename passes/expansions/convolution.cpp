// Conv and ConvTranspose over 1-3 spatial dimensions with groups, strides, dilations and pads.
//
// Conv guards its padded reads with a padded copy: the input is copied into the interior of a
// zero-filled transient ("<label>_padded"), so the convolution map reads
// xp[n, g*Cg + c, o*s + k*d] with affine memlets only (no select on index bounds), which is
// what later tiling passes need. The output starts as the bias (or zeros) and the map
// accumulates with WCR sum over (c, k...).
//
// ConvTranspose is the scatter formulation: a map over the *input* space adds
// x[n, c, i] * w[c, m, k] into y[n, m, i*s + k*d - pad] with WCR sum. When pads or the output
// padding make that index leave the output, the scatter goes to a zero-filled transient of the
// full extent and a crop map copies the output window (adding the bias).
#include "passes/expansions/expansions.h"
#include "passes/expansions/convolution.h"

namespace conflux::passes::expansions {

using namespace ir;

namespace {

/// The window of a Conv or ConvTranspose; the group count must be positive.
Window windowOf(const Builder& b, const std::vector<int64_t>& wShape) {
  const auto& attrs = b.attrs<ConvAttrs>();
  std::vector<int64_t> kernel = attrs.kernelShape;
  if (kernel.empty() && wShape.size() > 2) kernel.assign(wShape.begin() + 2, wShape.end());
  if (attrs.group < 1) b.fail("group must be positive");
  return resolveWindow(b, kernel, attrs.strides, attrs.dilations, attrs.pads);
}

/// Parameters and index pieces shared by both directions: n, [g], m, <spatial>, c, k...
struct ConvSpace {
  std::vector<std::string> params;
  std::vector<int64_t> sizes;
  AffineExpr n;
  /// Channel indices within the group (c, m) and across all groups.
  AffineExpr inLocal, outLocal, inChannel, outChannel;
  std::vector<AffineExpr> spatial, kernel;
};

/// `channelsIn` / `channelsOut` are the per-group channel counts; `spatialSizes` the extents
/// of the iterated spatial dimensions (output for Conv, input for ConvTranspose).
ConvSpace convSpace(const Window& w, int64_t group, int64_t batch, int64_t channelsIn,
                    int64_t channelsOut, const std::vector<int64_t>& spatialSizes) {
  ConvSpace s;
  auto add = [&](const std::string& name, int64_t size) {
    s.params.push_back(name);
    s.sizes.push_back(size);
    return AffineExpr::symbol(name);
  };
  s.n = add("n", batch);
  AffineExpr g = group > 1 ? add("g", group) : AffineExpr(0);
  s.outLocal = add("m", channelsOut);
  s.outChannel = g * channelsOut + s.outLocal;
  for (size_t d = 0; d < w.spatial; ++d)
    s.spatial.push_back(add("o" + std::to_string(d), spatialSizes[d]));
  s.inLocal = add("c", channelsIn);
  s.inChannel = g * channelsIn + s.inLocal;
  for (size_t d = 0; d < w.spatial; ++d)
    s.kernel.push_back(add("k" + std::to_string(d), w.kernel[d]));
  return s;
}

/// The window position o*s + k*d of spatial dimension `d`.
AffineExpr tap(const Window& w, const ConvSpace& s, size_t d) {
  return s.spatial[d] * w.strides[d] + s.kernel[d] * w.dilations[d];
}

}  // namespace

NodeId initWithBias(Builder& b, NodeId target, const std::string& role) {
  DType dtype = b.descOf(target).dtype;
  if (!b.has("in2")) return b.fill(target, constant(0.0, dtype), role);
  const std::vector<int64_t>& shape = b.descOf(target).shape;
  std::vector<std::string> params = paramNames("i", shape.size());
  b.addMap({role,
            params,
            Subset::full(shape),
            {{b.access("in2"), "bias", point({AffineExpr::symbol("i1")})}},
            {{target, "out", point(symbols(params))}},
            {ref("bias", dtype)},
            {}});
  return target;
}

ConvOperands convOperands(const Builder& b) {
  const std::vector<int64_t>& x = b.shape("in0");
  const std::vector<int64_t>& w = b.shape("in1");
  const std::vector<int64_t>& y = b.shape("out0");
  if (x.size() < 3 || x.size() > 5 || w.size() != x.size() || y.size() != x.size())
    b.fail("expects X, W and Y of rank 3-5");
  return {x, w, y, windowOf(b, w)};
}

namespace {

/// The multiply-accumulate tasklet expression x * w.
Expr mac(DType dtype) {
  return binary(BinaryOp::Mul, ref("x", dtype), ref("w", dtype));
}

}  // namespace

void expandConv(Builder& b) {
  const auto [xShape, wShape, yShape, w] = convOperands(b);
  int64_t group = b.attrs<ConvAttrs>().group;
  int64_t channelsOut = yShape[1] / group, channelsIn = xShape[1] / group;
  if (xShape[1] % group != 0 || yShape[1] % group != 0 || wShape[0] != yShape[1] ||
      wShape[1] != channelsIn)
    b.fail("channel counts do not match the weights and group " + std::to_string(group));
  std::vector<int64_t> padded = xShape;
  bool needsPad = false;
  for (size_t d = 0; d < w.spatial; ++d) {
    padded[d + 2] += w.padBegin[d] + w.padEnd[d];
    needsPad = needsPad || w.padBegin[d] != 0 || w.padEnd[d] != 0;
    if (yShape[d + 2] != (padded[d + 2] - w.extent(d)) / w.strides[d] + 1)
      b.fail("output spatial dimension " + std::to_string(d) + " does not match the window");
  }

  NodeId x = b.access("in0");
  if (needsPad) {
    NodeId xp = b.addAccess(b.addTransient("padded", b.dtype("in0"), padded));
    std::vector<int64_t> begin = {0, 0};
    begin.insert(begin.end(), w.padBegin.begin(), w.padBegin.end());
    copyPadded(b, x, xp, begin, constant(0.0, b.dtype("in0")), "pad");
    x = xp;
  }
  NodeId init = initWithBias(b, b.addAccess(b.array("out0")), "init");

  ConvSpace s = convSpace(w, group, yShape[0], channelsIn, channelsOut,
                          std::vector<int64_t>(yShape.begin() + 2, yShape.end()));
  std::vector<AffineExpr> xIndex = {s.n, s.inChannel}, wIndex = {s.outChannel, s.inLocal};
  std::vector<AffineExpr> yIndex = {s.n, s.outChannel};
  for (size_t d = 0; d < w.spatial; ++d) {
    xIndex.push_back(tap(w, s, d));
    wIndex.push_back(s.kernel[d]);
    yIndex.push_back(s.spatial[d]);
  }
  DType dtype = b.dtype("out0");
  b.addMap({"",
            s.params,
            Subset::full(s.sizes),
            {{x, "x", point(xIndex)}, {b.access("in1"), "w", point(wIndex)}},
            {{b.access("out0"), "y", point(yIndex), Wcr::Sum}},
            {mac(dtype)},
            {init}});
}

void expandConvTranspose(Builder& b) {
  const auto [xShape, wShape, yShape, w] = convOperands(b);
  std::vector<int64_t> outputPadding = b.attrs<ConvAttrs>().outputPadding;
  if (outputPadding.empty()) outputPadding.assign(w.spatial, 0);
  if (outputPadding.size() != w.spatial)
    b.fail("output_padding needs one entry per spatial dimension");
  int64_t group = b.attrs<ConvAttrs>().group;
  int64_t channelsIn = xShape[1] / group, channelsOut = yShape[1] / group;
  if (xShape[1] % group != 0 || wShape[0] != xShape[1] || wShape[1] * group != yShape[1])
    b.fail("channel counts do not match the weights and group " + std::to_string(group));
  // The scatter reaches full index i*s + k*d in [0, full); output index = full index - pad.
  std::vector<int64_t> target = yShape;
  bool direct = true;
  for (size_t d = 0; d < w.spatial; ++d) {
    int64_t full = (xShape[d + 2] - 1) * w.strides[d] + w.extent(d);
    if (yShape[d + 2] != full + outputPadding[d] - w.padBegin[d] - w.padEnd[d])
      b.fail("output spatial dimension " + std::to_string(d) + " does not match the window");
    target[d + 2] = std::max(full, w.padBegin[d] + yShape[d + 2]);
    direct = direct && w.padBegin[d] == 0 && target[d + 2] == yShape[d + 2];
  }

  DType dtype = b.dtype("out0");
  NodeId y = b.access("out0");
  NodeId init;
  if (direct) {
    init = initWithBias(b, b.addAccess(b.array("out0")), "init");
  } else {
    std::string full = b.addTransient("full", dtype, target);
    init = b.fill(b.addAccess(full), constant(0.0, dtype), "init");
    y = b.addAccess(full);
  }

  ConvSpace s = convSpace(w, group, xShape[0], channelsIn, channelsOut,
                          std::vector<int64_t>(xShape.begin() + 2, xShape.end()));
  std::vector<AffineExpr> xIndex = {s.n, s.inChannel}, wIndex = {s.inChannel, s.outLocal};
  std::vector<AffineExpr> yIndex = {s.n, s.outChannel};
  for (size_t d = 0; d < w.spatial; ++d) {
    xIndex.push_back(s.spatial[d]);
    wIndex.push_back(s.kernel[d]);
    yIndex.push_back(tap(w, s, d));
  }
  b.addMap({"",
            s.params,
            Subset::full(s.sizes),
            {{b.access("in0"), "x", point(xIndex)}, {b.access("in1"), "w", point(wIndex)}},
            {{y, "y", point(yIndex), Wcr::Sum}},
            {mac(dtype)},
            {init}});
  if (direct) return;

  // Crop the output window out of the full scatter target, adding the bias.
  std::vector<std::string> params = paramNames("i", yShape.size());
  std::vector<AffineExpr> index = symbols(params), shifted = index;
  for (size_t d = 0; d < w.spatial; ++d) shifted[d + 2] = shifted[d + 2] + w.padBegin[d];
  MapSpec crop{"crop",
               params,
               Subset::full(yShape),
               {{y, "full", point(shifted)}},
               {{b.access("out0"), "out", point(index)}},
               {ref("full", dtype)},
               {}};
  if (b.has("in2")) {
    crop.inputs.push_back({b.access("in2"), "bias", point({index[1]})});
    crop.exprs[0] = binary(BinaryOp::Add, ref("full", dtype), ref("bias", dtype));
  }
  b.addMap(crop);
}

}  // namespace conflux::passes::expansions
