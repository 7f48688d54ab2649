// Copies whose indices are affine in the map parameters: Transpose, Concat, Split, Slice
// (negative steps included), Expand (broadcast), Tile (a repeat and an inner parameter per
// tiled dimension: y[r*d + i] = x[i]), Trilu (a select on the parameters), DepthToSpace and
// SpaceToDepth (a parameter per block row and column: y[n, c, h*s + i, w*s + j] = x[n, depth, h,
// w]).
#include <algorithm>
#include <numeric>

#include "passes/expansions/expansions.h"

namespace conflux::passes::expansions {

using namespace ir;

namespace {

/// A copy map `role` from `src` at `srcIndex` to `dst` at `dstIndex` over `params`/`sizes`.
void copy(Builder& b, const std::string& role, const std::vector<std::string>& params,
          const std::vector<int64_t>& sizes, NodeId src, std::vector<AffineExpr> srcIndex,
          NodeId dst, std::vector<AffineExpr> dstIndex) {
  b.addMap({role,
            params,
            Subset::full(sizes),
            {{src, "in", point(srcIndex)}},
            {{dst, "out", point(dstIndex)}},
            {ref("in", b.descOf(src).dtype)},
            {}});
}

void expandTranspose(Builder& b) {
  const std::vector<int64_t>& inShape = b.shape("in0");
  const std::vector<int64_t>& outShape = b.shape("out0");
  std::vector<int64_t> perm = b.attrs<TransposeAttrs>().perm;
  if (perm.empty()) {  // ONNX default: reverse the dimensions
    perm.resize(inShape.size());
    std::iota(perm.rbegin(), perm.rend(), 0);
  }
  std::vector<int64_t> sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  for (size_t d = 0; d < sorted.size(); ++d)
    if (sorted[d] != static_cast<int64_t>(d) || sorted.size() != inShape.size())
      b.fail("perm is not a permutation of the input's dimensions");
  std::vector<std::string> params = paramNames("i", outShape.size());
  std::vector<AffineExpr> out = symbols(params), in(inShape.size());
  for (size_t j = 0; j < perm.size(); ++j) {
    if (outShape[j] != inShape[static_cast<size_t>(perm[j])]) b.fail("output shape mismatch");
    in[static_cast<size_t>(perm[j])] = out[j];
  }
  copy(b, "", params, outShape, b.access("in0"), in, b.access("out0"), out);
}

/// Checks `axis` against the rank of `conn` and returns it as an index.
size_t axisIndex(const Builder& b, int64_t axis, const std::string& conn) {
  if (axis < 0 || axis >= static_cast<int64_t>(b.shape(conn).size()))
    b.fail("axis " + std::to_string(axis) + " is out of range");
  return static_cast<size_t>(axis);
}

/// Concat: one copy map per input, writing at the input's offset along the axis.
void expandConcat(Builder& b) {
  size_t axis = axisIndex(b, b.attrs<AxisAttrs>().axis, "out0");
  int64_t offset = 0;
  for (size_t k = 0; k < b.numInputs(); ++k) {
    std::string conn = "in" + std::to_string(k);
    const std::vector<int64_t>& shape = b.shape(conn);
    std::vector<std::string> params = paramNames("i", shape.size());
    std::vector<AffineExpr> in = symbols(params), out = in;
    out[axis] = out[axis] + offset;
    copy(b, std::to_string(k), params, shape, b.access(conn), in, b.access("out0"), out);
    offset += shape[axis];
  }
  if (offset != b.shape("out0")[axis]) b.fail("the inputs do not add up to the output's axis");
}

/// Split: one copy map per output, reading from the output's offset along the axis.
void expandSplit(Builder& b) {
  size_t axis = axisIndex(b, b.attrs<SplitAttrs>().axis, "in0");
  int64_t offset = 0;
  for (size_t k = 0; b.has("out" + std::to_string(k)); ++k) {
    std::string conn = "out" + std::to_string(k);
    const std::vector<int64_t>& shape = b.shape(conn);
    std::vector<std::string> params = paramNames("i", shape.size());
    std::vector<AffineExpr> out = symbols(params), in = out;
    in[axis] = in[axis] + offset;
    copy(b, std::to_string(k), params, shape, b.access("in0"), in, b.access(conn), out);
    offset += shape[axis];
  }
  if (offset > b.shape("in0")[axis]) b.fail("the outputs are larger than the input's axis");
}

/// Slice: element j of a sliced axis reads start + j * step (steps may be negative).
void expandSlice(Builder& b) {
  const auto& attrs = b.attrs<SliceAttrs>();
  const std::vector<int64_t>& outShape = b.shape("out0");
  if (attrs.starts.size() != attrs.axes.size() || attrs.ends.size() != attrs.axes.size() ||
      (!attrs.steps.empty() && attrs.steps.size() != attrs.axes.size()))
    b.fail("axes, starts, ends and steps differ in length");
  std::vector<std::string> params = paramNames("i", outShape.size());
  std::vector<AffineExpr> out = symbols(params), in = out;
  for (size_t k = 0; k < attrs.axes.size(); ++k) {
    size_t axis = axisIndex(b, attrs.axes[k], "in0");
    int64_t step = attrs.steps.empty() ? 1 : attrs.steps[k];
    if (step == 0) b.fail("slice step 0");
    in[axis] = out[axis] * step + attrs.starts[k];
  }
  copy(b, "", params, outShape, b.access("in0"), in, b.access("out0"), out);
}

/// Expand: a broadcasting copy.
void expandExpand(Builder& b) {
  const std::vector<int64_t>& outShape = b.shape("out0");
  if (b.shape("in0").size() > outShape.size())
    b.fail("the input has a higher rank than the output");
  std::vector<std::string> params = paramNames("i", outShape.size());
  std::vector<AffineExpr> out = symbols(params);
  copy(b, "", params, outShape, b.access("in0"), broadcastIndex(b.shape("in0"), out, outShape),
       b.access("out0"), out);
}

/// Tile: a tiled dimension iterates a repeat parameter r and an inner one i: y[r*d + i] = x[i].
void expandTile(Builder& b) {
  const std::vector<int64_t>& inShape = b.shape("in0");
  const std::vector<int64_t>& outShape = b.shape("out0");
  if (inShape.size() != outShape.size()) b.fail("input and output ranks differ");
  std::vector<std::string> params;
  std::vector<int64_t> sizes;
  std::vector<AffineExpr> in, out;
  for (size_t d = 0; d < inShape.size(); ++d) {
    if (outShape[d] % inShape[d] != 0) b.fail("output dimensions are not multiples of the input's");
    AffineExpr i = AffineExpr::symbol("i" + std::to_string(d));
    AffineExpr tiled = i;
    if (int64_t repeats = outShape[d] / inShape[d]; repeats > 1) {
      params.push_back("r" + std::to_string(d));
      sizes.push_back(repeats);
      tiled = AffineExpr::symbol(params.back()) * inShape[d] + i;
    }
    params.push_back("i" + std::to_string(d));
    sizes.push_back(inShape[d]);
    in.push_back(i);
    out.push_back(tiled);
  }
  copy(b, "", params, sizes, b.access("in0"), in, b.access("out0"), out);
}

/// Trilu: keeps x where column - row >= k (upper) or <= k (lower), zero elsewhere.
void expandTrilu(Builder& b) {
  const auto& attrs = b.attrs<TriluAttrs>();
  const std::vector<int64_t>& shape = b.shape("out0");
  if (shape.size() < 2) b.fail("expects a rank >= 2 input");
  std::vector<std::string> params = paramNames("i", shape.size());
  std::vector<AffineExpr> index = symbols(params);
  Expr diagonal = binary(BinaryOp::Sub, param(params.back()), param(params[params.size() - 2]));
  Expr keep = binary(attrs.upper ? BinaryOp::Ge : BinaryOp::Le, diagonal, i64(attrs.k));
  DType dtype = b.dtype("out0");
  b.addMap({"",
            params,
            Subset::full(shape),
            {{b.access("in0"), "in", point(index)}},
            {{b.access("out0"), "out", point(index)}},
            {select(keep, ref("in", dtype), constant(0.0, dtype))},
            {}});
}

/// DepthToSpace and SpaceToDepth: the image element (n, c, h*s + i, w*s + j) of the space side
/// is the depth element (n, depth, h, w), depth = (i*s + j) C + c, or with `columnRowDepth`
/// (DepthToSpace's CRD mode) c s^2 + i s + j.
void expandBlockShuffle(Builder& b) {
  const auto& attrs = b.attrs<BlockAttrs>();
  bool toSpace = b.op().op == OpKind::DepthToSpace;
  const std::vector<int64_t>& space = b.shape(toSpace ? "out0" : "in0");
  const std::vector<int64_t>& depth = b.shape(toSpace ? "in0" : "out0");
  int64_t s = attrs.blockSize;
  if (space.size() != 4 || depth.size() != 4 || s < 1 || space[2] != depth[2] * s ||
      space[3] != depth[3] * s || depth[1] != space[1] * s * s)
    b.fail("the shapes do not match blocks of " + std::to_string(s));
  std::vector<std::string> params{"n", "c", "h", "i", "w", "j"};
  std::vector<AffineExpr> p = symbols(params);
  AffineExpr depthIndex =
      attrs.columnRowDepth ? p[1] * (s * s) + p[3] * s + p[5] : (p[3] * s + p[5]) * space[1] + p[1];
  std::vector<AffineExpr> spaceAt{p[0], p[1], p[2] * s + p[3], p[4] * s + p[5]};
  std::vector<AffineExpr> depthAt{p[0], depthIndex, p[2], p[4]};
  copy(b, "", params, {space[0], space[1], depth[2], s, depth[3], s}, b.access("in0"),
       toSpace ? depthAt : spaceAt, b.access("out0"), toSpace ? spaceAt : depthAt);
}

}  // namespace

void expandAffineCopy(Builder& b) {
  switch (b.op().op) {
    case OpKind::Transpose:
      return expandTranspose(b);
    case OpKind::Concat:
      return expandConcat(b);
    case OpKind::Split:
      return expandSplit(b);
    case OpKind::Slice:
      return expandSlice(b);
    case OpKind::Expand:
      return expandExpand(b);
    case OpKind::Tile:
      return expandTile(b);
    case OpKind::Trilu:
      return expandTrilu(b);
    case OpKind::DepthToSpace:
    case OpKind::SpaceToDepth:
      return expandBlockShuffle(b);
    default:
      b.fail("not a data-movement op");
  }
}

}  // namespace conflux::passes::expansions
