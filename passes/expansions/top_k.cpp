// TopK by ranking: each element's rank along the axis is the number of elements that come
// before it (larger — or smaller — ones, and equal ones at lower indices), a WCR sum over the
// axis; output position p then gathers the one element whose rank is p, for the values and the
// indices. Ranks are a permutation, so exactly one element lands at each position. The work is
// the axis' length squared per row: right for the hundreds to thousands of scores of a
// detection head or a router, slow for a vocabulary of 50k. A NaN compares false with
// everything, so rows holding one come out in an undefined order.
#include "passes/expansions/expansions.h"

namespace conflux::passes::expansions {

using namespace ir;

void expandTopK(Builder& b) {
  const auto& attrs = b.attrs<TopKAttrs>();
  const std::vector<int64_t>& shape = b.shape("in0");
  auto axis = static_cast<size_t>(attrs.axis);
  DType dtype = b.dtype("in0");
  if (axis >= shape.size() || b.shape("out0")[axis] != attrs.k)
    b.fail("the output shape does not match the axis and k");

  // rank[i] = #{j : x[j] before x[i]} along the axis.
  std::vector<std::string> params = paramNames("i", shape.size());
  std::vector<AffineExpr> at = symbols(params), other = at;
  other[axis] = AffineExpr::symbol("j");
  std::vector<std::string> pairParams = params;
  pairParams.push_back("j");
  Subset pairs = Subset::full(shape);
  pairs.ranges.push_back({0, shape[axis] - 1, 1});
  std::string ranks = b.addTransient("rank", DType::I64, shape);
  NodeId zero = b.fill(b.addAccess(ranks), i64(0), "rank_init");
  NodeId rank = b.addAccess(ranks);
  Expr x = ref("x", dtype), y = ref("y", dtype);
  Expr before = binary(BinaryOp::Or, binary(attrs.largest ? BinaryOp::Gt : BinaryOp::Lt, y, x),
                       binary(BinaryOp::And, binary(BinaryOp::Eq, y, x),
                              binary(BinaryOp::Lt, param("j"), param(params[axis]))));
  b.addMap({"rank",
            pairParams,
            pairs,
            {{b.access("in0"), "x", point(at)}, {b.access("in0"), "y", point(other)}},
            {{rank, "acc", point(at), Wcr::Sum}},
            {select(before, i64(1), i64(0))},
            {zero}});

  // out[p] = the element of rank p (p along the axis of the outputs), for values and indices.
  std::vector<std::string> outParams = paramNames("o", shape.size());
  std::vector<AffineExpr> out = symbols(outParams), source = out;
  source[axis] = AffineExpr::symbol("j");
  std::vector<std::string> gatherParams = outParams;
  gatherParams.push_back("j");
  Subset gather = Subset::full(b.shape("out0"));
  gather.ranges.push_back({0, shape[axis] - 1, 1});
  Expr lands = binary(BinaryOp::Eq, ref("rank", DType::I64), param(outParams[axis]));
  auto gatherInto = [&](const std::string& conn, DType type, std::vector<Port> reads,
                        const Expr& value) {
    NodeId init = b.fill(b.addAccess(b.array(conn)), constant(0, type), conn + "_init");
    reads.push_back({rank, "rank", point(source)});
    b.addMap({conn,
              gatherParams,
              gather,
              std::move(reads),
              {{b.access(conn), "acc", point(out), Wcr::Sum}},
              {select(lands, value, constant(0, type))},
              {init}});
  };
  gatherInto("out0", dtype, {{b.access("in0"), "x", point(source)}}, x);
  if (b.has("out1")) gatherInto("out1", DType::I64, {}, param("j"));
}

}  // namespace conflux::passes::expansions
