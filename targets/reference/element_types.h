#pragma once
// The C++ element types the reference target computes in, and the value columns that hold one
// expression node's values for a batch of lanes.
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "ir/dtype.h"
#include "ir/error.h"

namespace conflux::targets::reference {

/// Bool elements are bytes holding 0 or 1, as in ir::Tensor.
using Bool = uint8_t;

template <class T>
inline constexpr bool kIsFloat = std::is_same_v<T, float>;
template <class T>
inline constexpr bool kIsBool = std::is_same_v<T, Bool>;
template <class T>
inline constexpr bool kIsInt = std::is_same_v<T, int64_t> || std::is_same_v<T, int32_t>;

/// A type tag handed to dispatch callbacks.
template <class T>
struct TypeTag {
  using type = T;
};

/// The most lanes one batch evaluates.
inline constexpr int64_t kMaxLanes = 256;

/// What error messages say about dtypes the reference target cannot compute in.
inline constexpr const char* kSupportedTypes =
    "the reference target supports f32, i64, i32 and bool";

/// True for f32, i64, i32 and bool.
inline bool isSupported(ir::DType type) {
  return type == ir::DType::F32 || type == ir::DType::I64 || type == ir::DType::I32 ||
         type == ir::DType::Bool;
}

/// Calls `f(TypeTag<T>{})` with the C++ element type of `type`; throws conflux::Error
/// prefixed with `where` for bf16 and f16.
template <class F>
decltype(auto) dispatch(ir::DType type, const std::string& where, F&& f) {
  switch (type) {
    case ir::DType::F32: return f(TypeTag<float>{});
    case ir::DType::I64: return f(TypeTag<int64_t>{});
    case ir::DType::I32: return f(TypeTag<int32_t>{});
    case ir::DType::Bool: return f(TypeTag<Bool>{});
    default: break;
  }
  throw Error(where + ": dtype " + std::string(ir::dtypeName(type)) + " is not supported; " +
              kSupportedTypes);
}

/// The values of one expression node (or connector) for a batch of up to kMaxLanes lanes.
class Column {
 public:
  explicit Column(ir::DType dtype) : dtype_(dtype) {
    dispatch(dtype, "column", [&](auto tag) { storage<typename decltype(tag)::type>().resize(kMaxLanes); });
  }

  ir::DType dtype() const { return dtype_; }

  /// The lane values; T must be the C++ type of dtype().
  template <class T>
  T* data() {
    CONFLUX_ASSERT(!storage<T>().empty(), "column read with the wrong element type");
    return storage<T>().data();
  }

 private:
  template <class T>
  std::vector<T>& storage() {
    if constexpr (kIsFloat<T>) return f32_;
    else if constexpr (std::is_same_v<T, int64_t>) return i64_;
    else if constexpr (std::is_same_v<T, int32_t>) return i32_;
    else return bool_;
  }

  ir::DType dtype_;
  std::vector<float> f32_;
  std::vector<int64_t> i64_;
  std::vector<int32_t> i32_;
  std::vector<Bool> bool_;
};

}  // namespace conflux::targets::reference
