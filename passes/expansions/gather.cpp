// Gather, GatherElements and GatherND: a map over the output whose tasklet reads the runtime
// index (GatherND: the tuple of them), wraps a negative one (idx + n) and loads the data element
// through ir::load from the data row along the axis (GatherND: the block along the indexed
// dimensions). OneHot: a map over the output comparing each index with the position along the
// inserted axis.
#include "passes/expansions/expansions.h"

namespace conflux::passes::expansions {

using namespace ir;

namespace {

/// `idx` (of in1's dtype, i64 or i32) as i64, a negative one wrapped to idx + `extent`.
Expr wrapped(const Builder& b, const Expr& idx, int64_t extent) {
  if (b.dtype("in1") != DType::I64 && b.dtype("in1") != DType::I32)
    b.fail("indices must be i64 or i32");
  return wrapNegative(idx, extent);
}

/// The index read from connector "idx", wrapped.
Expr wrappedIndex(const Builder& b, int64_t extent) {
  return wrapped(b, ref("idx", b.dtype("in1")), extent);
}

/// The load of the data element at `index` along `axis` from a row read whole along it.
Expr rowLoad(const Builder& b, size_t axis, const Expr& index) {
  std::vector<Expr> at(b.shape("in0").size(), i64(0));  // relative to the row's start
  at[axis] = index;
  return load("data", at, b.dtype("in0"));
}

/// The map over out0 (`params` over its shape) whose element reads the index at `at` and
/// loads the element of the data `row` there along `axis`.
void addGatherMap(Builder& b, const std::vector<std::string>& params, const Subset& row,
                  const std::vector<AffineExpr>& at, size_t axis) {
  b.addMap({"",
            params,
            Subset::full(b.shape("out0")),
            {{b.access("in0"), "data", row}, {b.access("in1"), "idx", point(at)}},
            {{b.access("out0"), "out", point(symbols(params))}},
            {rowLoad(b, axis, wrappedIndex(b, b.shape("in0")[axis]))},
            {}});
}

}  // namespace

void expandGather(Builder& b) {
  const std::vector<int64_t>& data = b.shape("in0");
  const std::vector<int64_t>& indices = b.shape("in1");
  const std::vector<int64_t>& outShape = b.shape("out0");
  int64_t axisAttr = b.attrs<AxisAttrs>().axis;
  if (axisAttr < 0 || axisAttr >= static_cast<int64_t>(data.size()))
    b.fail("axis " + std::to_string(axisAttr) + " is out of range");
  size_t axis = static_cast<size_t>(axisAttr), q = indices.size();
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

  addGatherMap(b, params, row, at, axis);
}

void expandGatherElements(Builder& b) {
  const std::vector<int64_t>& data = b.shape("in0");
  const std::vector<int64_t>& outShape = b.shape("out0");
  auto axis = static_cast<size_t>(b.attrs<AxisAttrs>().axis);
  if (axis >= data.size() || outShape.size() != data.size())
    b.fail("the axis or the output rank does not match");
  // Output element i reads data at i, with i[axis] replaced by the index at i.
  std::vector<std::string> params = paramNames("i", outShape.size());
  std::vector<AffineExpr> out = symbols(params);
  Subset row;
  for (size_t d = 0; d < data.size(); ++d)
    row.ranges.push_back(d == axis ? Range{0, data[d] - 1, 1} : Range::point(out[d]));
  addGatherMap(b, params, row, out, axis);
}

void expandGatherNd(Builder& b) {
  const std::vector<int64_t>& data = b.shape("in0");
  const std::vector<int64_t>& indices = b.shape("in1");
  auto batch = static_cast<size_t>(b.attrs<GatherNdAttrs>().batchDims);
  size_t q = indices.size(), tuple = static_cast<size_t>(indices.back());
  if (batch + tuple > data.size() || b.shape("out0").size() != q - 1 + data.size() - batch - tuple)
    b.fail("the indices' tuple or the output rank does not match the data");
  // Output dims: indices[:-1], data[batch + tuple:].
  std::vector<std::string> params = paramNames("i", b.shape("out0").size());
  std::vector<AffineExpr> out = symbols(params);
  Subset block, tuples;                       // the data indexed by this element's tuple; the tuple
  std::vector<Expr> at(data.size(), i64(0));  // relative to the block's start
  for (size_t d = 0; d < data.size(); ++d) {
    if (d < batch) {
      block.ranges.push_back(Range::point(out[d]));
    } else if (d < batch + tuple) {
      block.ranges.push_back({0, data[d] - 1, 1});
      std::vector<Expr> element(q, i64(0));
      element[q - 1] = i64(static_cast<int64_t>(d - batch));
      at[d] = wrapped(b, load("idx", element, b.dtype("in1")), data[d]);
    } else {
      block.ranges.push_back(Range::point(out[q - 1 + d - batch - tuple]));
    }
  }
  for (size_t d = 0; d + 1 < q; ++d) tuples.ranges.push_back(Range::point(out[d]));
  tuples.ranges.push_back({0, indices.back() - 1, 1});
  b.addMap({"",
            params,
            Subset::full(b.shape("out0")),
            {{b.access("in0"), "data", block}, {b.access("in1"), "idx", tuples}},
            {{b.access("out0"), "out", point(out)}},
            {load("data", at, b.dtype("in0"))},
            {}});
}

void expandOneHot(Builder& b) {
  const auto& attrs = b.attrs<OneHotAttrs>();
  const std::vector<int64_t>& outShape = b.shape("out0");
  auto axis = static_cast<size_t>(attrs.axis);
  if (axis >= outShape.size() || outShape[axis] != attrs.depth)
    b.fail("the output shape does not match the axis and depth");
  std::vector<std::string> params = paramNames("i", outShape.size());
  std::vector<AffineExpr> out = symbols(params);
  std::vector<AffineExpr> at = out;  // the index's element: the output's without the axis
  at.erase(at.begin() + static_cast<std::ptrdiff_t>(axis));
  // A float index counts by its integer part; a negative one from the end.
  Expr index = wrapNegative(ref("idx", b.dtype("in0")), attrs.depth);
  Expr hot = binary(BinaryOp::Eq, index, param(params[axis]));
  DType dtype = b.dtype("out0");
  b.addMap({"",
            params,
            Subset::full(outShape),
            {{b.access("in0"), "idx", point(at)},
             {b.access("in2"), "off", point({AffineExpr(0)})},
             {b.access("in2"), "on", point({AffineExpr(1)})}},
            {{b.access("out0"), "out", point(out)}},
            {select(hot, ref("on", dtype), ref("off", dtype))},
            {}});
}

}  // namespace conflux::passes::expansions
