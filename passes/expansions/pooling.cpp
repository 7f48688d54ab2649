// MaxPool and AveragePool (pads, strides, dilations, ceil mode, count_include_pad) and the
// global pools. Windows that reach past the input (pads, ceil-mode overhang) read a padded
// transient copy filled with the reduction's identity (-inf for max, 0 for sums), so the pool
// map's memlets stay affine: y[n, c, o] op= xp[n, c, o*s + k*d].
//
// An average divides by the number of counted window elements. When every window counts all
// its elements the map accumulates x * (1/size) directly; otherwise it accumulates sums into
// a transient and a second map divides by the count, an i64 expression of the output index
// (the kernel size minus the taps before the counted range and the taps after it).
#include <algorithm>

#include "passes/expansions/expansions.h"
#include "passes/expansions/window.h"

namespace conflux::passes::expansions {

using namespace ir;

namespace {

/// Counted elements of window `o` along dimension `d`: taps o*s + k*dil in [lo, hi).
struct CountedRange {
  int64_t lo = 0, hi = 0;
};

int64_t countAt(const Window& w, size_t d, CountedRange r, int64_t o) {
  int64_t n = 0;
  for (int64_t k = 0; k < w.kernel[d]; ++k) {
    int64_t p = o * w.strides[d] + k * w.dilations[d];
    n += p >= r.lo && p < r.hi ? 1 : 0;
  }
  return n;
}

/// The count along dimension `d` as an i64 expression of parameter `o`: the kernel size
/// minus one for every tap that falls before `lo` or at/after `hi` (taps that never do for
/// the output's range are left out).
Expr countExpr(const Window& w, size_t d, CountedRange r, int64_t outSize, const Expr& o) {
  Expr e = i64(w.kernel[d]);
  for (int64_t k = 0; k < w.kernel[d]; ++k) {
    int64_t offset = k * w.dilations[d];
    Expr pos = binary(BinaryOp::Add, binary(BinaryOp::Mul, o, i64(w.strides[d])), i64(offset));
    auto dropWhen = [&](Expr outside) {
      e = binary(BinaryOp::Sub, e, select(std::move(outside), i64(1), i64(0)));
    };
    if (offset < r.lo) dropWhen(binary(BinaryOp::Lt, pos, i64(r.lo)));
    if ((outSize - 1) * w.strides[d] + offset >= r.hi)
      dropWhen(binary(BinaryOp::Ge, pos, i64(r.hi)));
  }
  return e;
}

}  // namespace

void expandPool(Builder& b) {
  OpKind op = b.op().op;
  const std::vector<int64_t>& xShape = b.shape("in0");
  if (xShape.size() < 3) b.fail("expects an input of rank >= 3");
  bool isMax = op == OpKind::MaxPool || op == OpKind::GlobalMaxPool;
  if (op == OpKind::GlobalAveragePool || op == OpKind::GlobalMaxPool) {
    std::vector<int64_t> axes;
    for (size_t d = 2; d < xShape.size(); ++d) axes.push_back(static_cast<int64_t>(d));
    reduceInto(b, isMax ? ReduceKind::Max : ReduceKind::Mean, axes, true);
    return;
  }
  if (b.has("out1")) b.fail("the Indices output is not supported");
  const auto& attrs = b.attrs<PoolAttrs>();
  Window w = resolveWindow(b, attrs.kernelShape, attrs.strides, attrs.dilations, attrs.pads);
  const std::vector<int64_t>& yShape = b.shape("out0");
  DType dtype = b.dtype("out0");
  Wcr wcr = isMax ? Wcr::Max : Wcr::Sum;
  bool countPad = attrs.countIncludePad;

  // Pad to cover every window, including a ceil-mode overhang past the end padding.
  std::vector<int64_t> padded = xShape;
  std::vector<int64_t> begin(xShape.size(), 0);
  std::vector<CountedRange> counted;
  bool needsPad = false, uniform = true;
  for (size_t d = 0; d < w.spatial; ++d) {
    int64_t in = xShape[d + 2], out = yShape[d + 2];
    int64_t reach = (out - 1) * w.strides[d] + w.extent(d);
    if (out < 1 || (out - 1) * w.strides[d] >= in + w.padBegin[d] + w.padEnd[d])
      b.fail("output spatial dimension " + std::to_string(d) + " does not match the window");
    padded[d + 2] = std::max(in + w.padBegin[d] + w.padEnd[d], reach);
    begin[d + 2] = w.padBegin[d];
    needsPad = needsPad || padded[d + 2] != in || w.padBegin[d] != 0;
    counted.push_back(countPad ? CountedRange{0, in + w.padBegin[d] + w.padEnd[d]}
                               : CountedRange{w.padBegin[d], w.padBegin[d] + in});
    for (int64_t o = 0; o < out; ++o)
      uniform = uniform && countAt(w, d, counted[d], o) == w.kernel[d];
  }
  NodeId x = b.access("in0");
  if (needsPad) {
    NodeId xp = b.addAccess(b.addTransient("padded", b.dtype("in0"), padded));
    copyPadded(b, x, xp, begin, identityOf(wcr, dtype), "pad");
    x = xp;
  }

  std::vector<std::string> params = {"n", "c"};
  std::vector<int64_t> sizes = {yShape[0], yShape[1]};
  std::vector<AffineExpr> xIndex = {AffineExpr::symbol("n"), AffineExpr::symbol("c")};
  std::vector<AffineExpr> yIndex = xIndex;
  int64_t windowSize = 1;
  for (size_t d = 0; d < w.spatial; ++d) {
    std::string o = "o" + std::to_string(d);
    params.push_back(o);
    sizes.push_back(yShape[d + 2]);
    yIndex.push_back(AffineExpr::symbol(o));
    windowSize *= w.kernel[d];
  }
  for (size_t d = 0; d < w.spatial; ++d) {
    std::string k = "k" + std::to_string(d);
    params.push_back(k);
    sizes.push_back(w.kernel[d]);
    xIndex.push_back(yIndex[d + 2] * w.strides[d] + AffineExpr::symbol(k) * w.dilations[d]);
  }

  Expr value = ref("x", dtype);
  bool divideAfter = !isMax && !uniform;
  if (!isMax && uniform)
    value = binary(BinaryOp::Mul, value, constant(1.0 / static_cast<double>(windowSize), dtype));
  NodeId acc = divideAfter ? b.addAccess(b.addTransient("sum", dtype, yShape)) : b.access("out0");
  NodeId init = b.fill(b.addAccess(b.arrayOf(acc)), identityOf(wcr, dtype), "init");
  b.addMap({"",
            params,
            Subset::full(sizes),
            {{x, "x", point(xIndex)}},
            {{acc, "acc", point(yIndex), wcr}},
            {value},
            {init}});
  if (!divideAfter) return;

  std::vector<std::string> outParams = paramNames("i", yShape.size());
  Expr count = i64(1);
  for (size_t d = 0; d < w.spatial; ++d)
    count = binary(BinaryOp::Mul, count,
                   countExpr(w, d, counted[d], yShape[d + 2], param(outParams[d + 2])));
  std::vector<AffineExpr> index = symbols(outParams);
  b.addMap({"divide",
            outParams,
            Subset::full(yShape),
            {{acc, "sum", point(index)}},
            {{b.access("out0"), "y", point(index)}},
            {binary(BinaryOp::Div, ref("sum", dtype), cast(count, dtype))},
            {}});
}

}  // namespace conflux::passes::expansions
