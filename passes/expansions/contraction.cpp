// MatMul and Gemm: the output is initialised (zeros, or beta * C for Gemm), then one map over
// the whole iteration space (output indices and the contracted index k) accumulates the
// products into it with WCR sum. Every memlet is affine, ready for tiling.
#include "passes/expansions/expansions.h"

namespace conflux::passes::expansions {

using namespace ir;

namespace {

/// The leading (batch) dimensions of `shape`, all but the last `keep`.
std::vector<int64_t> leading(const std::vector<int64_t>& shape, size_t keep) {
  return {shape.begin(), shape.end() - static_cast<std::ptrdiff_t>(keep)};
}

/// The product of the two connectors `a` and `b`, scaled by `alpha` unless it is 1.
Expr product(DType dtype, double alpha) {
  Expr p = binary(BinaryOp::Mul, ref("a", dtype), ref("b", dtype));
  return alpha == 1.0 ? p : binary(BinaryOp::Mul, constant(alpha, dtype), p);
}

}  // namespace

void expandMatMul(Builder& b) {
  const std::vector<int64_t>& aShape = b.shape("in0");
  const std::vector<int64_t>& bShape = b.shape("in1");
  const std::vector<int64_t>& yShape = b.shape("out0");
  size_t ra = aShape.size(), rb = bShape.size();
  if (ra == 0 || rb == 0) b.fail("MatMul operands must have rank >= 1");
  // 1-D promotion: a vector A is a row [1, K] and a vector B a column [K, 1], and the
  // promoted dimension is dropped from the output.
  bool hasM = ra >= 2, hasN = rb >= 2;
  int64_t k = aShape.back();
  if (bShape[hasN ? rb - 2 : 0] != k) b.fail("the contracted dimensions of A and B differ");
  size_t outMatrixRank = (hasM ? 1 : 0) + (hasN ? 1 : 0);
  if (yShape.size() < outMatrixRank) b.fail("the output rank is too small");
  std::vector<int64_t> batchShape = leading(yShape, outMatrixRank);
  std::vector<int64_t> aBatch = hasM ? leading(aShape, 2) : std::vector<int64_t>{};
  std::vector<int64_t> bBatch = hasN ? leading(bShape, 2) : std::vector<int64_t>{};
  if (aBatch.size() > batchShape.size() || bBatch.size() > batchShape.size())
    b.fail("an operand has more batch dimensions than the output");

  std::vector<std::string> params = paramNames("b", batchShape.size());
  std::vector<AffineExpr> batch = symbols(params);
  std::vector<AffineExpr> yIndex = batch;
  std::vector<AffineExpr> aIndex = broadcastIndex(aBatch, batch, batchShape);
  std::vector<AffineExpr> bIndex = broadcastIndex(bBatch, batch, batchShape);
  if (hasM) {
    params.push_back("m");
    yIndex.push_back(AffineExpr::symbol("m"));
    aIndex.push_back(AffineExpr::symbol("m"));
  }
  bIndex.push_back(AffineExpr::symbol("k"));
  if (hasN) {
    params.push_back("n");
    yIndex.push_back(AffineExpr::symbol("n"));
    bIndex.push_back(AffineExpr::symbol("n"));
  }
  aIndex.push_back(AffineExpr::symbol("k"));
  params.push_back("k");
  std::vector<int64_t> space = yShape;
  space.push_back(k);

  DType dtype = b.dtype("out0");
  NodeId init = b.fill(b.addAccess(b.array("out0")), constant(0.0, dtype), "init");
  b.addMap({"",
            params,
            Subset::full(space),
            {{b.access("in0"), "a", point(aIndex)}, {b.access("in1"), "b", point(bIndex)}},
            {{b.access("out0"), "c", point(yIndex), Wcr::Sum}},
            {product(dtype, 1.0)},
            {init}});
}

void expandGemm(Builder& b) {
  const auto& attrs = b.attrs<GemmAttrs>();
  const std::vector<int64_t>& aShape = b.shape("in0");
  const std::vector<int64_t>& bShape = b.shape("in1");
  const std::vector<int64_t>& yShape = b.shape("out0");
  if (aShape.size() != 2 || bShape.size() != 2 || yShape.size() != 2)
    b.fail("Gemm operands and output must be matrices");
  int64_t k = attrs.transA ? aShape[0] : aShape[1];
  if ((attrs.transB ? bShape[1] : bShape[0]) != k) b.fail("the contracted dimensions differ");
  DType dtype = b.dtype("out0");

  // Initialise Y with beta * C (broadcast) or zeros: the bias is the accumulator's start.
  std::vector<std::string> yParams = {"m", "n"};
  std::vector<AffineExpr> yIndex = symbols(yParams);
  NodeId init = b.addAccess(b.array("out0"));
  bool bias = b.has("in2") && attrs.beta != 0.0;
  if (bias) {
    Expr c = ref("c", dtype);
    if (attrs.beta != 1.0) c = binary(BinaryOp::Mul, constant(attrs.beta, dtype), c);
    b.addMap({"init",
              yParams,
              Subset::full(yShape),
              {{b.access("in2"), "c", point(broadcastIndex(b.shape("in2"), yIndex, yShape))}},
              {{init, "y", point(yIndex)}},
              {c},
              {}});
  } else {
    b.fill(init, constant(0.0, dtype), "init");
  }

  AffineExpr m = AffineExpr::symbol("m"), n = AffineExpr::symbol("n"), kk = AffineExpr::symbol("k");
  std::vector<AffineExpr> aIndex = attrs.transA ? std::vector{kk, m} : std::vector{m, kk};
  std::vector<AffineExpr> bIndex = attrs.transB ? std::vector{n, kk} : std::vector{kk, n};
  b.addMap({"",
            {"m", "n", "k"},
            Subset::full({yShape[0], yShape[1], k}),
            {{b.access("in0"), "a", point(aIndex)}, {b.access("in1"), "b", point(bIndex)}},
            {{b.access("out0"), "c", point(yIndex), Wcr::Sum}},
            {product(dtype, attrs.alpha)},
            {init}});
}

}  // namespace conflux::passes::expansions
