#include "ir/tensor.h"

#include <cmath>

#include "ir/error.h"

namespace conflux::ir {
namespace {

constexpr int64_t kMaxElements = int64_t{1} << 40;

/// The elements of `shape`; throws when a dimension is negative or there are more than 2^40.
int64_t checkedElementCount(const std::vector<int64_t>& shape, const std::string& what) {
  int64_t count = 1;
  for (int64_t d : shape) {
    if (d < 0) throw Error(what + ": negative dimension " + std::to_string(d));
    if (d != 0 && count > kMaxElements / d) throw Error(what + ": shape has more than 2^40 elements");
    count *= d;
  }
  return count;
}

}  // namespace

Tensor::Tensor(DType dtype, std::vector<int64_t> shape, const std::string& what)
    : dtype_(dtype), shape_(std::move(shape)), numElements_(checkedElementCount(shape_, what)) {
  bytes_.resize(static_cast<size_t>(numElements_ * dtypeBytes(dtype_)));
}

Tensor::Tensor(DType dtype, std::vector<int64_t> shape, const std::byte* source, const std::string& what)
    : dtype_(dtype), shape_(std::move(shape)), numElements_(checkedElementCount(shape_, what)) {
  bytes_.assign(source, source + numElements_ * dtypeBytes(dtype_));
}

Tensor Tensor::fromDoubles(DType dtype, std::vector<int64_t> shape, const std::vector<double>& values) {
  Tensor t(dtype, std::move(shape));
  if (static_cast<int64_t>(values.size()) != t.numElements())
    throw Error("tensor of " + std::to_string(t.numElements()) + " elements given " +
                std::to_string(values.size()) + " values");
  for (size_t i = 0; i < values.size(); ++i) t.set(static_cast<int64_t>(i), values[i]);
  return t;
}

double Tensor::at(int64_t i) const {
  switch (dtype_) {
    case DType::F32: return data<float>()[i];
    case DType::BF16: return bf16ToFloat(data<uint16_t>()[i]);
    case DType::F16: return f16ToFloat(data<uint16_t>()[i]);
    case DType::I64: return static_cast<double>(data<int64_t>()[i]);
    case DType::I32: return data<int32_t>()[i];
    case DType::Bool: return data<uint8_t>()[i] != 0;
  }
  return 0;
}

void Tensor::set(int64_t i, double value) {
  switch (dtype_) {
    case DType::F32: data<float>()[i] = static_cast<float>(value); break;
    case DType::BF16: data<uint16_t>()[i] = floatToBf16(static_cast<float>(value)); break;
    case DType::F16: data<uint16_t>()[i] = floatToF16(static_cast<float>(value)); break;
    case DType::I64: data<int64_t>()[i] = static_cast<int64_t>(value); break;
    case DType::I32: data<int32_t>()[i] = static_cast<int32_t>(value); break;
    case DType::Bool: data<uint8_t>()[i] = value != 0; break;
  }
}

std::vector<int64_t> Tensor::toInts() const {
  std::vector<int64_t> values(static_cast<size_t>(numElements_));
  for (int64_t i = 0; i < numElements_; ++i)
    values[i] = dtype_ == DType::I64 ? data<int64_t>()[i] : static_cast<int64_t>(at(i));
  return values;
}

uint16_t floatToBf16(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  if (std::isnan(value)) return 0x7fc0;
  bits += 0x7fff + ((bits >> 16) & 1);
  return static_cast<uint16_t>(bits >> 16);
}

float bf16ToFloat(uint16_t bits) {
  uint32_t wide = static_cast<uint32_t>(bits) << 16;
  float value;
  std::memcpy(&value, &wide, 4);
  return value;
}

uint16_t floatToF16(float value) {
  uint32_t x;
  std::memcpy(&x, &value, 4);
  uint32_t sign = (x >> 16) & 0x8000;
  int32_t exponent = static_cast<int32_t>((x >> 23) & 0xff) - 127 + 15;
  uint32_t mantissa = x & 0x7fffff;
  if (((x >> 23) & 0xff) == 0xff) return static_cast<uint16_t>(sign | 0x7c00 | (mantissa ? 0x200 : 0));
  if (exponent >= 31) return static_cast<uint16_t>(sign | 0x7c00);
  if (exponent <= 0) {
    if (exponent < -10) return static_cast<uint16_t>(sign);
    mantissa |= 0x800000;
    uint32_t shift = static_cast<uint32_t>(14 - exponent);
    uint32_t half = mantissa >> shift;
    uint32_t rest = mantissa & ((1u << shift) - 1);
    uint32_t midpoint = 1u << (shift - 1);
    if (rest > midpoint || (rest == midpoint && (half & 1))) ++half;
    return static_cast<uint16_t>(sign | half);
  }
  uint32_t half = sign | (static_cast<uint32_t>(exponent) << 10) | (mantissa >> 13);
  uint32_t rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest == 0x1000 && (half & 1))) ++half;
  return static_cast<uint16_t>(half);
}

float f16ToFloat(uint16_t bits) {
  uint32_t sign = static_cast<uint32_t>(bits & 0x8000) << 16;
  uint32_t exponent = (bits >> 10) & 0x1f;
  uint32_t mantissa = bits & 0x3ff;
  uint32_t out;
  if (exponent == 0) {
    if (mantissa == 0) {
      out = sign;
    } else {
      int e = -1;
      do {
        ++e;
        mantissa <<= 1;
      } while (!(mantissa & 0x400));
      out = sign | (static_cast<uint32_t>(127 - 15 - e) << 23) | ((mantissa & 0x3ff) << 13);
    }
  } else if (exponent == 31) {
    out = sign | 0x7f800000 | (mantissa << 13);
  } else {
    out = sign | ((exponent + 127 - 15) << 23) | (mantissa << 13);
  }
  float value;
  std::memcpy(&value, &out, 4);
  return value;
}

}  // namespace conflux::ir
