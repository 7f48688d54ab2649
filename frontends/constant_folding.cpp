#include "frontends/constant_folding.h"

#include <cmath>
#include <cstring>
#include <algorithm>
#include <functional>
#include <limits>

namespace conflux::frontends {

namespace {

using Index = std::vector<int64_t>;

bool isIntegral(ir::DType dtype) { return !ir::isFloat(dtype); }

/// Element `i` as an exact integer (integral dtypes) or truncated (floating dtypes).
int64_t intAt(const ir::Tensor& t, int64_t i) {
  switch (t.dtype()) {
    case ir::DType::I64: return t.data<int64_t>()[i];
    case ir::DType::I32: return t.data<int32_t>()[i];
    case ir::DType::Bool: return t.data<uint8_t>()[i] != 0;
    default: {
      double v = t.at(i);
      if (std::isnan(v)) return 0;
      constexpr double kLimit = 9.2e18;  // inside int64's range
      return static_cast<int64_t>(std::clamp(v, -kLimit, kLimit));
    }
  }
}

/// Sets element `i` from an exact integer.
void setInt(ir::Tensor& t, int64_t i, int64_t value) {
  switch (t.dtype()) {
    case ir::DType::I64: t.data<int64_t>()[i] = value; break;
    case ir::DType::I32: t.data<int32_t>()[i] = static_cast<int32_t>(value); break;
    case ir::DType::Bool: t.data<uint8_t>()[i] = value != 0; break;
    default: t.set(i, static_cast<double>(value)); break;
  }
}

Index rowMajorStrides(const Index& shape) {
  Index strides(shape.size(), 1);
  for (size_t d = shape.size(); d-- > 1;) strides[d - 1] = strides[d] * shape[d];
  return strides;
}

/// Strides that read an input of `in` shape broadcast (NumPy, right-aligned) to `out` shape.
Index broadcastStrides(const Index& in, const Index& out) {
  Index inStrides = rowMajorStrides(in);
  Index strides(out.size(), 0);
  size_t offset = out.size() - in.size();
  for (size_t d = 0; d < in.size(); ++d) strides[d + offset] = in[d] == 1 ? 0 : inStrides[d];
  return strides;
}

/// Calls visit(index, flat) for every element of `shape` in row-major order.
void forEachIndex(const Index& shape, const std::function<void(const Index&, int64_t)>& visit) {
  int64_t count = 1;
  for (int64_t d : shape) count *= d;
  Index index(shape.size(), 0);
  for (int64_t flat = 0; flat < count; ++flat) {
    visit(index, flat);
    for (size_t d = shape.size(); d-- > 0;) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
}

int64_t dot(const Index& index, const Index& strides) {
  int64_t offset = 0;
  for (size_t d = 0; d < index.size(); ++d) offset += index[d] * strides[d];
  return offset;
}

void copyElement(const ir::Tensor& from, int64_t i, ir::Tensor& to, int64_t j) {
  size_t bytes = static_cast<size_t>(ir::dtypeBytes(from.dtype()));
  std::memcpy(to.bytes() + j * static_cast<int64_t>(bytes), from.bytes() + i * static_cast<int64_t>(bytes), bytes);
}

/// An output of `type` whose element at each index copies input element `source(index)`
/// (a multi-index into `in`).
ir::Tensor copyByIndex(const ir::Tensor& in, const TensorType& type,
                       const std::function<Index(const Index&)>& source) {
  ir::Tensor out(type.dtype, type.shape);
  Index inStrides = rowMajorStrides(in.shape());
  forEachIndex(type.shape, [&](const Index& index, int64_t flat) {
    copyElement(in, dot(source(index), inStrides), out, flat);
  });
  return out;
}

ir::Tensor reinterpret(const ir::Tensor& in, const TensorType& type) {
  ir::Tensor out(type.dtype, type.shape);
  std::memcpy(out.bytes(), in.bytes(), in.byteSize());
  return out;
}

ir::Tensor cast(const ir::Tensor& in, const TensorType& type) {
  ir::Tensor out(type.dtype, type.shape);
  for (int64_t i = 0; i < in.numElements(); ++i) {
    if (isIntegral(type.dtype)) setInt(out, i, type.dtype == ir::DType::Bool ? in.at(i) != 0 : intAt(in, i));
    else out.set(i, in.at(i));
  }
  return out;
}

/// Two's-complement wrapping arithmetic (what int64 tensors do at run time, without C++ UB).
int64_t wrap(uint64_t value) { return static_cast<int64_t>(value); }

/// The result of an element-wise op on integers; nullopt when undefined (division by zero).
std::optional<int64_t> integerOp(ir::OpKind op, const std::vector<int64_t>& v) {
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  switch (op) {
    case ir::OpKind::Neg: return wrap(0 - static_cast<uint64_t>(v[0]));
    case ir::OpKind::Abs: return v[0] < 0 ? wrap(0 - static_cast<uint64_t>(v[0])) : v[0];
    case ir::OpKind::Add: return wrap(static_cast<uint64_t>(v[0]) + static_cast<uint64_t>(v[1]));
    case ir::OpKind::Sub: return wrap(static_cast<uint64_t>(v[0]) - static_cast<uint64_t>(v[1]));
    case ir::OpKind::Mul: return wrap(static_cast<uint64_t>(v[0]) * static_cast<uint64_t>(v[1]));
    case ir::OpKind::Div:
      if (v[1] == 0 || (v[0] == kMin && v[1] == -1)) return std::nullopt;
      return v[0] / v[1];
    case ir::OpKind::Max: return std::max(v[0], v[1]);
    case ir::OpKind::Min: return std::min(v[0], v[1]);
    case ir::OpKind::Equal: return v[0] == v[1];
    case ir::OpKind::Less: return v[0] < v[1];
    case ir::OpKind::Greater: return v[0] > v[1];
    case ir::OpKind::Where: return v[0] != 0 ? v[1] : v[2];
    default: return std::nullopt;
  }
}

double floatOp(ir::OpKind op, const std::vector<double>& v) {
  switch (op) {
    case ir::OpKind::Neg: return -v[0];
    case ir::OpKind::Abs: return std::fabs(v[0]);
    case ir::OpKind::Add: return v[0] + v[1];
    case ir::OpKind::Sub: return v[0] - v[1];
    case ir::OpKind::Mul: return v[0] * v[1];
    case ir::OpKind::Div: return v[0] / v[1];
    case ir::OpKind::Max: return std::max(v[0], v[1]);
    case ir::OpKind::Min: return std::min(v[0], v[1]);
    case ir::OpKind::Equal: return v[0] == v[1];
    case ir::OpKind::Less: return v[0] < v[1];
    case ir::OpKind::Greater: return v[0] > v[1];
    case ir::OpKind::Where: return v[0] != 0 ? v[1] : v[2];
    default: return 0;
  }
}

/// An element-wise op with NumPy broadcasting over all inputs. Integer inputs are computed
/// exactly in int64, floating ones in double (then rounded to the output dtype).
std::optional<ir::Tensor> elementwise(const NodeContext& node, const TensorType& type) {
  std::vector<const ir::Tensor*> inputs;
  std::vector<Index> strides;
  for (size_t i = 0; i < node.numInputs(); ++i) {
    inputs.push_back(node.value(i));
    strides.push_back(broadcastStrides(inputs.back()->shape(), type.shape));
  }
  // Where's condition is bool; the operands decide integer vs floating arithmetic.
  bool integral = isIntegral(inputs.back()->dtype());
  ir::Tensor out(type.dtype, type.shape);
  bool defined = true;
  std::vector<int64_t> ints(inputs.size());
  std::vector<double> floats(inputs.size());
  forEachIndex(type.shape, [&](const Index& index, int64_t flat) {
    for (size_t i = 0; i < inputs.size(); ++i) {
      int64_t offset = dot(index, strides[i]);
      if (integral) ints[i] = intAt(*inputs[i], offset);
      else floats[i] = inputs[i]->at(offset);
    }
    if (!integral) return out.set(flat, floatOp(node.kind(), floats));
    std::optional<int64_t> value = integerOp(node.kind(), ints);
    if (value) setInt(out, flat, *value);
    defined = defined && value.has_value();
  });
  if (!defined) return std::nullopt;
  return out;
}

ir::Tensor concat(const NodeContext& node, int64_t axis, const TensorType& type) {
  ir::Tensor out(type.dtype, type.shape);
  Index outStrides = rowMajorStrides(type.shape);
  int64_t offset = 0;
  for (size_t i = 0; i < node.numInputs(); ++i) {
    const ir::Tensor& in = *node.value(i);
    forEachIndex(in.shape(), [&](const Index& index, int64_t flat) {
      Index target = index;
      target[axis] += offset;
      copyElement(in, flat, out, dot(target, outStrides));
    });
    offset += in.shape()[axis];
  }
  return out;
}

ir::Tensor gather(const ir::Tensor& data, const ir::Tensor& indices, int64_t axis, const TensorType& type) {
  std::vector<int64_t> positions = indices.toInts();
  size_t indexRank = indices.shape().size();
  int64_t dim = data.shape()[axis];
  Index indexStrides = rowMajorStrides(indices.shape());
  return copyByIndex(data, type, [&](const Index& out) {
    Index in(out.begin(), out.begin() + axis);
    int64_t position = positions[dot(Index(out.begin() + axis, out.begin() + axis + indexRank), indexStrides)];
    in.push_back(position < 0 ? position + dim : position);
    in.insert(in.end(), out.begin() + axis + static_cast<int64_t>(indexRank), out.end());
    return in;
  });
}

ir::Tensor slice(const ir::Tensor& in, const ir::SliceAttrs& attrs, const TensorType& type) {
  return copyByIndex(in, type, [&](const Index& out) {
    Index index = out;
    for (size_t k = 0; k < attrs.axes.size(); ++k)
      index[attrs.axes[k]] = attrs.starts[k] + out[attrs.axes[k]] * attrs.steps[k];
    return index;
  });
}

ir::Tensor expand(const ir::Tensor& in, const TensorType& type) {
  size_t offset = type.shape.size() - in.shape().size();
  return copyByIndex(in, type, [&](const Index& out) {
    Index index(out.begin() + static_cast<int64_t>(offset), out.end());
    for (size_t d = 0; d < index.size(); ++d)
      if (in.shape()[d] == 1) index[d] = 0;
    return index;
  });
}

ir::Tensor transpose(const ir::Tensor& in, const ir::TransposeAttrs& attrs, const TensorType& type) {
  return copyByIndex(in, type, [&](const Index& out) {
    Index index(out.size());
    for (size_t d = 0; d < out.size(); ++d) index[attrs.perm[d]] = out[d];
    return index;
  });
}

ir::Tensor tile(const ir::Tensor& in, const TensorType& type) {
  return copyByIndex(in, type, [&](const Index& out) {
    Index index = out;
    for (size_t d = 0; d < index.size(); ++d) index[d] %= in.shape()[d];
    return index;
  });
}

}  // namespace

std::optional<std::vector<ir::Tensor>> foldNode(const NodeContext& node, const ir::OpAttrs& attrs) {
  const TensorType& type = *node.output(0);
  const ir::Tensor& first = *node.value(0);
  switch (node.kind()) {
    case ir::OpKind::Identity:
    case ir::OpKind::Reshape:
    case ir::OpKind::Flatten:
    case ir::OpKind::Squeeze:
    case ir::OpKind::Unsqueeze: return std::vector{reinterpret(first, type)};
    case ir::OpKind::Dropout: {
      std::vector<ir::Tensor> outputs{reinterpret(first, type)};
      if (node.hasOutput(1)) outputs.push_back(ir::Tensor::fromDoubles(
          ir::DType::Bool, type.shape, std::vector<double>(static_cast<size_t>(first.numElements()), 1.0)));
      return outputs;
    }
    case ir::OpKind::Cast: return std::vector{cast(first, type)};
    case ir::OpKind::Max:
    case ir::OpKind::Min:
      if (node.numInputs() != 2) return std::nullopt;  // other arities are rare in shape code
      [[fallthrough]];
    case ir::OpKind::Neg:
    case ir::OpKind::Abs:
    case ir::OpKind::Add:
    case ir::OpKind::Sub:
    case ir::OpKind::Mul:
    case ir::OpKind::Div:
    case ir::OpKind::Equal:
    case ir::OpKind::Less:
    case ir::OpKind::Greater:
    case ir::OpKind::Where: {
      std::optional<ir::Tensor> out = elementwise(node, type);
      if (!out) return std::nullopt;
      return std::vector{std::move(*out)};
    }
    case ir::OpKind::Concat: return std::vector{concat(node, std::get<ir::AxisAttrs>(attrs).axis, type)};
    case ir::OpKind::Gather:
      return std::vector{gather(first, *node.value(1), std::get<ir::AxisAttrs>(attrs).axis, type)};
    case ir::OpKind::Slice: return std::vector{slice(first, std::get<ir::SliceAttrs>(attrs), type)};
    case ir::OpKind::Expand: return std::vector{expand(first, type)};
    case ir::OpKind::Transpose: return std::vector{transpose(first, std::get<ir::TransposeAttrs>(attrs), type)};
    case ir::OpKind::Tile: return std::vector{tile(first, type)};
    default: return std::nullopt;
  }
}

}  // namespace conflux::frontends
