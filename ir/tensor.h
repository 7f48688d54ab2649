#pragma once
// Tensor values: the contents of constants and weights in the IR, and the inputs and outputs
// of targets. Row-major, densely packed.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "ir/dtype.h"
#include "ir/page_allocator.h"

namespace conflux::ir {

/// A dense row-major tensor of one dtype. bf16 and f16 are stored as their raw 16-bit patterns.
class Tensor {
 public:
  Tensor() = default;
  /// A zero-filled tensor; throws conflux::Error when the shape has a negative dimension or
  /// more than 2^40 elements (`what` names the tensor).
  Tensor(DType dtype, std::vector<int64_t> shape, const std::string& what = "tensor");
  /// A tensor holding a copy of the row-major elements at `source` (as many bytes as the shape
  /// needs), never zero-filled first; throws like the constructor above.
  Tensor(DType dtype, std::vector<int64_t> shape, const std::byte* source, const std::string& what = "tensor");

  /// A tensor holding `values` converted to `dtype`; `values.size()` must match the shape.
  static Tensor fromDoubles(DType dtype, std::vector<int64_t> shape, const std::vector<double>& values);

  DType dtype() const { return dtype_; }
  const std::vector<int64_t>& shape() const { return shape_; }
  int64_t numElements() const { return numElements_; }
  size_t byteSize() const { return bytes_.size(); }
  std::byte* bytes() { return bytes_.data(); }
  const std::byte* bytes() const { return bytes_.data(); }

  /// Typed element pointers; the dtype must match T (float f32, int64_t i64, int32_t i32,
  /// bool/uint8_t Bool, uint16_t bf16/f16).
  template <typename T>
  T* data() { return reinterpret_cast<T*>(bytes_.data()); }
  template <typename T>
  const T* data() const { return reinterpret_cast<const T*>(bytes_.data()); }

  /// Element `i` (row-major flat index) converted to double, for any dtype.
  double at(int64_t i) const;
  /// Sets element `i` from a double, converting to the dtype.
  void set(int64_t i, double value);
  /// All elements as int64 (for shape tensors).
  std::vector<int64_t> toInts() const;

  bool operator==(const Tensor&) const = default;

 private:
  DType dtype_ = DType::F32;
  std::vector<int64_t> shape_;
  int64_t numElements_ = 1;
  std::vector<std::byte, PageAllocator<std::byte>> bytes_;
};

/// bfloat16 / float16 conversions (round to nearest even).
uint16_t floatToBf16(float value);
float bf16ToFloat(uint16_t bits);
uint16_t floatToF16(float value);
float f16ToFloat(uint16_t bits);

}  // namespace conflux::ir
