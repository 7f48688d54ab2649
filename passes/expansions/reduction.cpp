// ReduceMean/Sum/Max/Min: the output is initialised with the reduction's identity, then a map
// over the input accumulates into it with WCR (a mean adds x * (1/n)).
#include <set>

#include "passes/expansions/expansions.h"

namespace conflux::passes::expansions {

using namespace ir;

namespace {

Wcr wcrOf(ReduceKind kind) {
  switch (kind) {
    case ReduceKind::Max:
      return Wcr::Max;
    case ReduceKind::Min:
      return Wcr::Min;
    default:
      return Wcr::Sum;
  }
}

ReduceKind kindOf(const Builder& b) {
  switch (b.op().op) {
    case OpKind::ReduceSum:
      return ReduceKind::Sum;
    case OpKind::ReduceMean:
      return ReduceKind::Mean;
    case OpKind::ReduceMax:
      return ReduceKind::Max;
    case OpKind::ReduceMin:
      return ReduceKind::Min;
    default:
      b.fail("not a reduction");
  }
}

}  // namespace

void reduceInto(Builder& b, ReduceKind kind, const std::vector<int64_t>& axes, bool keepDims) {
  const std::vector<int64_t>& shape = b.shape("in0");
  std::set<size_t> reduced;
  for (int64_t a : axes) {
    if (a < 0 || a >= static_cast<int64_t>(shape.size()))
      b.fail("axis " + std::to_string(a) + " is out of range");
    reduced.insert(static_cast<size_t>(a));
  }
  if (axes.empty())
    for (size_t d = 0; d < shape.size(); ++d) reduced.insert(d);

  std::vector<std::string> params = paramNames("i", shape.size());
  std::vector<AffineExpr> index = symbols(params), outIndex;
  std::vector<int64_t> expected;
  int64_t count = 1;
  for (size_t d = 0; d < shape.size(); ++d) {
    bool r = reduced.count(d) != 0;
    count *= r ? shape[d] : 1;
    if (r && !keepDims) continue;
    outIndex.push_back(r ? AffineExpr(0) : index[d]);
    expected.push_back(r ? 1 : shape[d]);
  }
  if (b.shape("out0") != expected) b.fail("the output shape does not match the reduction");

  DType dtype = b.dtype("out0");
  Expr value = ref("x", b.dtype("in0"));
  if (kind == ReduceKind::Mean) {
    if (!isFloat(dtype)) b.fail("a mean needs a float input");
    value = binary(BinaryOp::Mul, value, constant(1.0 / static_cast<double>(count), dtype));
  }
  Wcr wcr = wcrOf(kind);
  NodeId init = b.fill(b.addAccess(b.array("out0")), identityOf(wcr, dtype), "init");
  b.addMap({"",
            params,
            Subset::full(shape),
            {{b.access("in0"), "x", point(index)}},
            {{b.access("out0"), "acc", point(outIndex), wcr}},
            {value},
            {init}});
}

void expandReduce(Builder& b) {
  const auto& attrs = b.attrs<ReduceAttrs>();
  reduceInto(b, kindOf(b), attrs.axes, attrs.keepDims);
}

}  // namespace conflux::passes::expansions
