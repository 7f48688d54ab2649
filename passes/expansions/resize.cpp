// Resize: a map over the output whose tasklet computes, per resized dimension, the source
// coordinate (every ONNX coordinate transformation but tf_crop_and_resize, in f32), its
// neighbouring input indices (clamped to the edge, as ONNX's reference pads with edge
// values) and their weights, then sums weight products times ir::load of the input:
//   nearest  one tap: the coordinate rounded per nearest_mode
//   linear   two taps floor(x), floor(x) + 1 with weights 1 - r, r (r = x - floor(x))
//   cubic    four taps floor(x) - 1 .. floor(x) + 2 with the cubic convolution weights of
//            coefficient A; exclude_outside zeroes taps outside the input and renormalises.
// Dimensions with scale 1 and unchanged size are read directly (a point memlet).
#include <cmath>

#include "passes/expansions/expansions.h"

namespace conflux::passes::expansions {

using namespace ir;

namespace {

Expr f32(double v) {
  return constant(v, DType::F32);
}
/// The taps of one dimension: input indices (relative to the load's region) and weights
/// (null weight = 1).
struct Taps {
  std::vector<Expr> index;
  std::vector<Expr> weight;
};

/// The source coordinate of output index `x` (f32) along a dimension of `in` elements.
Expr sourceCoordinate(const Builder& b, const ResizeAttrs& attrs, const Expr& x, double scale,
                      int64_t in, int64_t out) {
  double outWidth = scale * static_cast<double>(in);
  const std::string& mode = attrs.coordinateTransformation;
  Expr halfPixel = sub(div(add(x, f32(0.5)), f32(scale)), f32(0.5));
  if (mode == "half_pixel") return halfPixel;
  if (mode == "asymmetric") return div(x, f32(scale));
  if (mode == "tf_half_pixel_for_nn") return div(add(x, f32(0.5)), f32(scale));
  if (mode == "pytorch_half_pixel") return outWidth == 1.0 ? f32(-0.5) : halfPixel;
  if (mode == "align_corners")
    return outWidth == 1.0 ? f32(0.0)
                           : div(mul(x, f32(static_cast<double>(in - 1))), f32(outWidth - 1.0));
  if (mode == "half_pixel_symmetric") {
    double adjustment = static_cast<double>(out) / outWidth;
    double offset = static_cast<double>(in) / 2.0 * (1.0 - adjustment);
    return add(f32(offset), halfPixel);
  }
  b.fail("coordinate transformation mode '" + mode + "' is not supported");
}

/// clamp(i, 0, n - 1) for an i64 index.
Expr clampIndex(const Expr& i, int64_t n) {
  return binary(BinaryOp::Min, binary(BinaryOp::Max, i, i64(0)), i64(n - 1));
}

Expr toIndex(const Expr& f) {
  return cast(f, DType::I64);
}

Taps nearestTaps(const Builder& b, const std::string& mode, const Expr& x, int64_t n) {
  Expr rounded;
  if (mode == "round_prefer_floor")
    rounded = unary(UnaryOp::Ceil, sub(x, f32(0.5)));
  else if (mode == "round_prefer_ceil")
    rounded = unary(UnaryOp::Floor, add(x, f32(0.5)));
  else if (mode == "floor")
    rounded = unary(UnaryOp::Floor, x);
  else if (mode == "ceil")
    rounded = unary(UnaryOp::Ceil, x);
  else
    b.fail("unknown nearest mode '" + mode + "'");
  return {{clampIndex(toIndex(rounded), n)}, {nullptr}};
}

Taps linearTaps(const Expr& x, int64_t n) {
  Expr base = unary(UnaryOp::Floor, x);
  Expr ratio = sub(x, base);
  Expr i = toIndex(base);
  return {{clampIndex(i, n), clampIndex(add(i, i64(1)), n)}, {sub(f32(1.0), ratio), ratio}};
}

/// The cubic convolution weight of a tap at distance `t` (0 <= t <= 2) for coefficient `a`.
Expr cubicWeight(const Expr& t, double a) {
  // |t| <= 1: (a + 2)|t|^3 - (a + 3)|t|^2 + 1;  1 < |t| < 2: a|t|^3 - 5a|t|^2 + 8a|t| - 4a.
  Expr near = add(mul(sub(mul(f32(a + 2), t), f32(a + 3)), mul(t, t)), f32(1.0));
  Expr far = sub(mul(add(mul(sub(mul(f32(a), t), f32(5 * a)), t), f32(8 * a)), t), f32(4 * a));
  return select(binary(BinaryOp::Le, t, f32(1.0)), near, far);
}

Taps cubicTaps(const ResizeAttrs& attrs, const Expr& x, int64_t n) {
  Expr base = unary(UnaryOp::Floor, x);
  Expr ratio = sub(x, base);
  Expr i = toIndex(base);
  Taps taps;
  std::vector<Expr> raw;
  for (int64_t k = -1; k <= 2; ++k) {
    Expr distance =
        k <= 0 ? add(ratio, f32(static_cast<double>(-k))) : sub(f32(static_cast<double>(k)), ratio);
    Expr weight = cubicWeight(distance, attrs.cubicCoeffA);
    Expr index = add(i, i64(k));
    if (attrs.excludeOutside) {
      Expr inside = binary(BinaryOp::And, binary(BinaryOp::Ge, index, i64(0)),
                           binary(BinaryOp::Lt, index, i64(n)));
      weight = select(inside, weight, f32(0.0));
    }
    taps.index.push_back(clampIndex(index, n));
    raw.push_back(weight);
  }
  Expr total = add(add(raw[0], raw[1]), add(raw[2], raw[3]));
  for (const Expr& w : raw) taps.weight.push_back(attrs.excludeOutside ? div(w, total) : w);
  return taps;
}

/// sum over the taps' cartesian product of (product of weights) * load(indices).
Expr interpolate(const std::vector<Taps>& dims, size_t d, std::vector<Expr>& index, DType dtype) {
  if (d == dims.size()) return load("in", index, dtype);
  Expr sum;
  for (size_t t = 0; t < dims[d].index.size(); ++t) {
    index[d] = dims[d].index[t];
    Expr term = interpolate(dims, d + 1, index, dtype);
    if (dims[d].weight[t]) term = mul(dims[d].weight[t], term);
    sum = sum ? add(sum, term) : term;
  }
  return sum;
}

}  // namespace

void expandResize(Builder& b) {
  const auto& attrs = b.attrs<ResizeAttrs>();
  const std::vector<int64_t>& inShape = b.shape("in0");
  const std::vector<int64_t>& outShape = b.shape("out0");
  size_t rank = inShape.size();
  if (attrs.scales.size() != rank || outShape.size() != rank) b.fail("needs one scale per axis");
  DType dtype = b.dtype("in0");
  if (attrs.mode != "nearest" && dtype != DType::F32) b.fail("interpolation needs an f32 input");

  std::vector<std::string> params = paramNames("i", rank);
  std::vector<AffineExpr> out = symbols(params);
  Subset window;  // resized dimensions are read whole, the others at the output index
  std::vector<Taps> dims;
  for (size_t d = 0; d < rank; ++d) {
    if (attrs.scales[d] == 1.0 && inShape[d] == outShape[d]) {
      window.ranges.push_back(Range::point(out[d]));
      dims.push_back({{i64(0)}, {nullptr}});
      continue;
    }
    if (attrs.scales[d] <= 0) b.fail("scales must be positive");
    window.ranges.push_back({0, inShape[d] - 1, 1});
    Expr x = sourceCoordinate(b, attrs, cast(param(params[d]), DType::F32), attrs.scales[d],
                              inShape[d], outShape[d]);
    if (attrs.mode == "nearest")
      dims.push_back(nearestTaps(b, attrs.nearestMode, x, inShape[d]));
    else if (attrs.mode == "linear")
      dims.push_back(linearTaps(x, inShape[d]));
    else if (attrs.mode == "cubic")
      dims.push_back(cubicTaps(attrs, x, inShape[d]));
    else
      b.fail("unknown mode '" + attrs.mode + "'");
  }
  std::vector<Expr> index(rank);
  b.addMap({"",
            params,
            Subset::full(outShape),
            {{b.access("in0"), "in", window}},
            {{b.access("out0"), "out", point(out)}},
            {interpolate(dims, 0, index, dtype)},
            {}});
}

}  // namespace conflux::passes::expansions
