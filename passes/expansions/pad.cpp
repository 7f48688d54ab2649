// Pad. Constant mode is a padded copy (fill the output with the value, copy the input into its
// interior; negative pads crop). Reflect, edge and wrap read the input through ir::load at an
// index computed per padded dimension from j = o - padBegin:
//   edge    min(max(j, 0), n - 1)
//   reflect m = j mod 2(n-1) (non-negative), m < n ? m : 2(n-1) - m
//   wrap    j mod n (non-negative)
#include "passes/expansions/expansions.h"

namespace conflux::passes::expansions {

using namespace ir;

namespace {

/// a mod m in [0, m), for any sign of a (i64 Mod truncates towards zero).
Expr positiveMod(const Expr& a, int64_t m) {
  Expr r = binary(BinaryOp::Mod, a, i64(m));
  return binary(BinaryOp::Mod, binary(BinaryOp::Add, r, i64(m)), i64(m));
}

/// The input index read for shifted index `j` of a dimension of size `n`.
Expr sourceIndex(const Builder& b, const std::string& mode, const Expr& j, int64_t n) {
  if (mode == "edge") return binary(BinaryOp::Min, binary(BinaryOp::Max, j, i64(0)), i64(n - 1));
  if (mode == "wrap") return positiveMod(j, n);
  if (mode != "reflect") b.fail("unknown pad mode '" + mode + "'");
  if (n == 1) return i64(0);
  int64_t period = 2 * (n - 1);
  Expr m = positiveMod(j, period);
  return select(binary(BinaryOp::Lt, m, i64(n)), m, binary(BinaryOp::Sub, i64(period), m));
}

}  // namespace

void expandPad(Builder& b) {
  const auto& attrs = b.attrs<PadAttrs>();
  const std::vector<int64_t>& inShape = b.shape("in0");
  const std::vector<int64_t>& outShape = b.shape("out0");
  size_t rank = inShape.size();
  if (attrs.pads.size() != 2 * rank || outShape.size() != rank)
    b.fail("pads need a begin and an end per dimension");
  std::vector<int64_t> begin(attrs.pads.begin(),
                             attrs.pads.begin() + static_cast<std::ptrdiff_t>(rank));
  for (size_t d = 0; d < rank; ++d)
    if (outShape[d] != inShape[d] + attrs.pads[d] + attrs.pads[d + rank])
      b.fail("output dimension " + std::to_string(d) + " does not match the pads");
  DType dtype = b.dtype("out0");
  if (attrs.mode == "constant") {
    copyPadded(b, b.access("in0"), b.access("out0"), begin, constant(attrs.value, dtype), "");
    return;
  }

  std::vector<std::string> params = paramNames("i", rank);
  std::vector<AffineExpr> out = symbols(params);
  Subset window;  // unpadded dimensions are read directly, padded ones whole
  std::vector<Expr> index;
  for (size_t d = 0; d < rank; ++d) {
    if (attrs.pads[d] == 0 && attrs.pads[d + rank] == 0) {
      window.ranges.push_back(Range::point(out[d]));
      index.push_back(i64(0));
      continue;
    }
    window.ranges.push_back({0, inShape[d] - 1, 1});
    Expr j = binary(BinaryOp::Sub, param(params[d]), i64(begin[d]));
    index.push_back(sourceIndex(b, attrs.mode, j, inShape[d]));
  }
  b.addMap({"",
            params,
            Subset::full(outShape),
            {{b.access("in0"), "in", window}},
            {{b.access("out0"), "out", point(out)}},
            {load("in", index, dtype)},
            {}});
}

}  // namespace conflux::passes::expansions
