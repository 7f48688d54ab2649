// Gather: a map over the output whose tasklet reads the runtime index, wraps a negative one
// (idx + n) and loads the data element through ir::load from the data row along the axis.
#include "passes/expansions/expansions.h"

namespace conflux::passes::expansions {

using namespace ir;

void expandGather(Builder& b) {
  const std::vector<int64_t>& data = b.shape("in0");
  const std::vector<int64_t>& indices = b.shape("in1");
  const std::vector<int64_t>& outShape = b.shape("out0");
  int64_t axisAttr = b.attrs<AxisAttrs>().axis;
  if (axisAttr < 0 || axisAttr >= static_cast<int64_t>(data.size()))
    b.fail("axis " + std::to_string(axisAttr) + " is out of range");
  size_t axis = static_cast<size_t>(axisAttr), q = indices.size();
  DType indexType = b.dtype("in1");
  if (indexType != DType::I64 && indexType != DType::I32) b.fail("indices must be i64 or i32");
  if (outShape.size() != data.size() - 1 + q) b.fail("the output rank does not match");

  // Output dims: data[:axis], indices, data[axis+1:].
  std::vector<std::string> params = paramNames("i", outShape.size());
  std::vector<AffineExpr> out = symbols(params);
  Subset row;  // the data row along the axis at this output element
  for (size_t d = 0; d < data.size(); ++d) {
    if (d == axis)
      row.ranges.push_back({0, data[d] - 1, 1});
    else
      row.ranges.push_back(Range::point(out[d < axis ? d : d - 1 + q]));
  }
  std::vector<AffineExpr> at(out.begin() + static_cast<std::ptrdiff_t>(axis),
                             out.begin() + static_cast<std::ptrdiff_t>(axis + q));

  Expr idx = ref("idx", indexType);
  if (indexType != DType::I64) idx = cast(idx, DType::I64);
  Expr wrapped =
      select(binary(BinaryOp::Lt, idx, i64(0)), binary(BinaryOp::Add, idx, i64(data[axis])), idx);
  std::vector<Expr> loadIndex(data.size(), i64(0));  // relative to the row's start
  loadIndex[axis] = wrapped;
  b.addMap({"",
            params,
            Subset::full(outShape),
            {{b.access("in0"), "data", row}, {b.access("in1"), "idx", point(at)}},
            {{b.access("out0"), "out", point(out)}},
            {load("data", loadIndex, b.dtype("in0"))},
            {}});
}

}  // namespace conflux::passes::expansions
