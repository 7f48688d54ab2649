// Shape rules of the ops whose outputs are known at load time and always folded to constants:
// Shape, Size, EyeLike, Constant, ConstantOfShape and Range.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "frontends/op_rules.h"

namespace conflux::frontends {

namespace {

/// Fails when a load-time tensor of `count` elements would be too large to materialise.
void checkMaterialisable(const NodeContext& node, double count) {
  if (count > static_cast<double>(kMaxFoldedElements))
    node.fail("its output of " + std::to_string(static_cast<int64_t>(count)) +
              " elements is too large to compute at load time (limit 2^26)");
}

ir::Tensor vectorOfInts(const std::vector<int64_t>& values) {
  ir::Tensor t(ir::DType::I64, {static_cast<int64_t>(values.size())});
  std::copy(values.begin(), values.end(), t.data<int64_t>());
  return t;
}

ir::Tensor vectorOfFloats(const std::vector<double>& values, std::vector<int64_t> shape) {
  return ir::Tensor::fromDoubles(ir::DType::F32, std::move(shape), values);
}

}  // namespace

void inferShape(NodeContext& node, const ir::OpAttrs&) {
  const std::vector<int64_t>& x = node.shape(0);
  int64_t rank = node.rank(0);
  auto clampToRank = [&](int64_t index) { return std::clamp<int64_t>(index < 0 ? index + rank : index, 0, rank); };
  int64_t start = clampToRank(node.intAttr("start", 0));
  int64_t end = clampToRank(node.intAttr("end", rank));
  node.setOutputValue(0, vectorOfInts(std::vector<int64_t>(x.begin() + start, x.begin() + std::max(start, end))));
}

void inferSize(NodeContext& node, const ir::OpAttrs&) {
  ir::Tensor count(ir::DType::I64, {});
  count.data<int64_t>()[0] = checkedElementCount(node.shape(0), node.node().describe() + " input");
  node.setOutputValue(0, count);
}

void inferEyeLike(NodeContext& node, const ir::OpAttrs&) {
  const std::vector<int64_t>& shape = node.shape(0);
  if (shape.size() != 2) node.fail("the input must be 2-D, got " + formatShape(shape));
  ir::DType dtype = node.dtype(0);
  if (node.hasAttr("dtype")) {
    int64_t code = node.intAttr("dtype", 0);
    std::optional<ir::DType> chosen = dtypeFromOnnx(code);
    if (!chosen) node.fail("attribute 'dtype': " + unsupportedDtypeMessage(code));
    dtype = *chosen;
  }
  checkMaterialisable(node, static_cast<double>(shape[0]) * static_cast<double>(shape[1]));
  int64_t k = node.intAttr("k", 0);
  ir::Tensor eye(dtype, shape);  // zero-filled
  for (int64_t row = 0; row < shape[0]; ++row)
    if (row + k >= 0 && row + k < shape[1]) eye.set(row * shape[1] + row + k, 1.0);
  node.setOutputValue(0, std::move(eye));
}

void inferConstant(NodeContext& node, const ir::OpAttrs&) {
  if (node.node().attrs.size() != 1)
    node.fail("needs exactly one of the attributes value, value_float, value_floats, value_int, value_ints");
  if (const ir::Tensor* value = node.tensorAttr("value")) return node.setOutputValue(0, *value);
  if (node.hasAttr("value_float"))
    return node.setOutputValue(0, vectorOfFloats({node.floatAttr("value_float", 0)}, {}));
  if (node.hasAttr("value_floats")) {
    std::vector<double> values = node.floatsAttr("value_floats");
    return node.setOutputValue(0, vectorOfFloats(values, {static_cast<int64_t>(values.size())}));
  }
  if (node.hasAttr("value_int")) {
    ir::Tensor scalar(ir::DType::I64, {});
    scalar.data<int64_t>()[0] = node.intAttr("value_int", 0);
    return node.setOutputValue(0, scalar);
  }
  if (node.hasAttr("value_ints")) return node.setOutputValue(0, vectorOfInts(node.intsAttr("value_ints")));
  node.fail("attribute '" + node.node().attrs.begin()->first + "' is not supported (strings and sparse "
            "tensors cannot be represented)");
}

void inferConstantOfShape(NodeContext& node, const ir::OpAttrs&) {
  std::vector<int64_t> shape = node.constantInts(0, "the output shape");
  int64_t count = checkedElementCount(shape, node.node().describe() + " output shape");
  checkMaterialisable(node, static_cast<double>(count));
  ir::Tensor fill = ir::Tensor::fromDoubles(ir::DType::F32, {1}, {0.0});
  if (const ir::Tensor* value = node.tensorAttr("value")) {
    if (value->numElements() != 1) node.fail("attribute 'value' must hold exactly one element");
    fill = *value;
  }
  ir::Tensor out(fill.dtype(), shape);
  size_t bytes = static_cast<size_t>(ir::dtypeBytes(fill.dtype()));
  for (int64_t i = 0; i < count; ++i) std::memcpy(out.bytes() + i * bytes, fill.bytes(), bytes);
  node.setOutputValue(0, std::move(out));
}

void inferRange(NodeContext& node, const ir::OpAttrs&) {
  ir::DType dtype = node.dtype(0);
  for (size_t i = 1; i < 3; ++i)
    if (node.dtype(i) != dtype) node.fail("start, limit and delta must have the same dtype");
  double start = node.constantScalar(0, "the start");
  double limit = node.constantScalar(1, "the limit");
  double delta = node.constantScalar(2, "the step");
  if (delta == 0) node.fail("the step (delta) must not be 0");
  double count = std::max(std::ceil((limit - start) / delta), 0.0);
  checkMaterialisable(node, count);
  int64_t n = static_cast<int64_t>(count);
  ir::Tensor out(dtype, {n});
  if (dtype == ir::DType::I64) {  // exact integer arithmetic
    int64_t first = node.value(0)->data<int64_t>()[0], step = node.value(2)->data<int64_t>()[0];
    for (int64_t i = 0; i < n; ++i) out.data<int64_t>()[i] = first + i * step;
  } else {
    for (int64_t i = 0; i < n; ++i) out.set(i, start + static_cast<double>(i) * delta);
  }
  node.setOutputValue(0, std::move(out));
}

}  // namespace conflux::frontends
