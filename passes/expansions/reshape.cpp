// Reshape, Flatten, Squeeze and Unsqueeze: a row-major reinterpretation of the input.
//
// Affine form: size-1 dimensions are read or written at 0, and the remaining dimensions of
// both shapes fall into groups of equal element count. When every group has a single
// dimension on one side (only merges and splits, as in Flatten or [B, L, H*D] -> [B, L, H, D]),
// the map iterates over the side with more dimensions and the single dimension of the other
// side is the affine row-major combination sum(p_k * stride_k).
//
// Otherwise (a group such as [6, 4] -> [4, 6]) the map iterates over the output and its
// tasklet computes the row-major flat index, recovers the input's indices with i64 div/mod,
// and reads the whole input through ir::load.
#include "passes/expansions/expansions.h"

namespace conflux::passes::expansions {

using namespace ir;

namespace {

/// A run of consecutive non-unit dimensions of the input ([inBegin, inEnd)) and of the
/// output ([outBegin, outEnd)) with the same number of elements.
struct Group {
  size_t inBegin, inEnd, outBegin, outEnd;
};

/// Positions of the non-unit dimensions of `shape`.
std::vector<size_t> nonUnit(const std::vector<int64_t>& shape) {
  std::vector<size_t> dims;
  for (size_t d = 0; d < shape.size(); ++d)
    if (shape[d] != 1) dims.push_back(d);
  return dims;
}

/// Groups over the non-unit dimension lists `a` (of `as`) and `b` (of `bs`).
std::vector<Group> groups(const std::vector<int64_t>& as, const std::vector<size_t>& a,
                          const std::vector<int64_t>& bs, const std::vector<size_t>& b) {
  std::vector<Group> result;
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    Group g{i, i + 1, j, j + 1};
    int64_t pa = as[a[i++]], pb = bs[b[j++]];
    while (pa != pb) {
      if (pa < pb)
        pa *= as[a[i++]];
      else
        pb *= bs[b[j++]];
      g.inEnd = i;
      g.outEnd = j;
    }
    result.push_back(g);
  }
  return result;
}

/// The affine copy described in the file comment; false when a group is a general reshape.
bool affineReshape(Builder& b, const std::vector<int64_t>& inShape,
                   const std::vector<int64_t>& outShape) {
  std::vector<size_t> a = nonUnit(inShape), o = nonUnit(outShape);
  std::vector<Group> gs = groups(inShape, a, outShape, o);
  std::vector<AffineExpr> in(inShape.size(), AffineExpr(0)), out(outShape.size(), AffineExpr(0));
  std::vector<std::string> params;
  std::vector<int64_t> sizes;
  for (const Group& g : gs) {
    bool iterateIn = g.inEnd - g.inBegin >= g.outEnd - g.outBegin;
    if (g.inEnd - g.inBegin > 1 && g.outEnd - g.outBegin > 1) return false;
    // The iterated side gets one parameter per dimension; the single dimension of the other
    // side combines them row-major.
    const std::vector<size_t>& many = iterateIn ? a : o;
    const std::vector<int64_t>& manyShape = iterateIn ? inShape : outShape;
    size_t begin = iterateIn ? g.inBegin : g.outBegin, end = iterateIn ? g.inEnd : g.outEnd;
    std::vector<AffineExpr>& manyIndex = iterateIn ? in : out;
    AffineExpr& single = iterateIn ? out[o[g.outBegin]] : in[a[g.inBegin]];
    AffineExpr combined;
    for (size_t k = begin; k < end; ++k) {
      params.push_back("i" + std::to_string(params.size()));
      sizes.push_back(manyShape[many[k]]);
      AffineExpr p = AffineExpr::symbol(params.back());
      manyIndex[many[k]] = p;
      combined = combined * manyShape[many[k]] + p;
    }
    single = combined;
  }
  DType dtype = b.dtype("in0");
  b.addMap({"",
            params,
            Subset::full(sizes),
            {{b.access("in0"), "in", point(in)}},
            {{b.access("out0"), "out", point(out)}},
            {ref("in", dtype)},
            {}});
  return true;
}

/// The general copy: flat index of the output element, input indices by div/mod, ir::load.
void loadReshape(Builder& b, const std::vector<int64_t>& inShape,
                 const std::vector<int64_t>& outShape) {
  std::vector<std::string> params = paramNames("i", outShape.size());
  Expr flat = i64(0);
  for (size_t d = 0; d < outShape.size(); ++d)
    flat = binary(BinaryOp::Add, binary(BinaryOp::Mul, flat, i64(outShape[d])), param(params[d]));
  std::vector<Expr> index(inShape.size());
  int64_t stride = 1;
  for (size_t d = inShape.size(); d-- > 0;) {
    Expr quotient = stride == 1 ? flat : binary(BinaryOp::Div, flat, i64(stride));
    index[d] = d == 0 ? quotient : binary(BinaryOp::Mod, quotient, i64(inShape[d]));
    stride *= inShape[d];
  }
  DType dtype = b.dtype("in0");
  b.addMap({"",
            params,
            Subset::full(outShape),
            {{b.access("in0"), "in", Subset::full(inShape)}},
            {{b.access("out0"), "out", point(symbols(params))}},
            {load("in", index, dtype)},
            {}});
}

}  // namespace

void expandReshape(Builder& b) {
  const std::vector<int64_t>& inShape = b.shape("in0");
  const std::vector<int64_t>& outShape = b.shape("out0");
  if (b.descOf(b.access("in0")).numElements() != b.descOf(b.access("out0")).numElements())
    b.fail("input and output hold different numbers of elements");
  if (!affineReshape(b, inShape, outShape)) loadReshape(b, inShape, outShape);
}

}  // namespace conflux::passes::expansions
