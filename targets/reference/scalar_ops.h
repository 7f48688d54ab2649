#pragma once
// Element semantics of the reference target: what every unary and binary operator, cast and
// write-conflict resolution computes for one element of each supported type. ONNX-like:
//  - f32 is computed in float (never double), so results match other float32 runtimes.
//  - Integer Add/Sub/Mul/Neg/Abs wrap around (two's complement) instead of overflowing.
//  - Integer Div truncates toward zero (as C); INT_MIN / -1 wraps to INT_MIN. Division or
//    modulo by zero is an error reported by the caller (see isZero), never undefined behaviour.
//  - Integer Mod takes the sign of the divisor (Python / ONNX Mod with fmod=0); f32 Mod is
//    std::fmod (sign of the dividend, ONNX fmod=1).
//  - Integer Pow is exact repeated multiplication (wrapping); a negative exponent gives
//    1 / base^-e truncated: 1 for base 1, +-1 for base -1, 0 otherwise.
//  - f32 Max and Min propagate NaN (as NumPy's maximum / minimum).
//  - Round is half to even; Sign keeps 0, -0 and NaN; Relu keeps NaN and -0.
//  - Casts: f32 -> integer truncates toward zero and saturates, NaN gives 0; integer -> integer
//    wraps; anything -> bool is "!= 0" (NaN is true); bool -> number is 0 or 1.
//  - bool arithmetic: Add and Max are "or", Mul and Min are "and"; Sub, Div, Mod, Pow are
//    unsupported. WCR on bool: sum and max are "or", product and min are "and".
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "ir/memlet.h"
#include "targets/reference/element_types.h"

namespace conflux::targets::reference::ops {

/// Two's complement wrapping arithmetic for integers (plain arithmetic for floats).
template <class T>
T add(T a, T b) {
  if constexpr (kIsInt<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(a) + static_cast<U>(b));
  } else if constexpr (kIsBool<T>) {
    return a | b;
  } else {
    return a + b;
  }
}

template <class T>
T sub(T a, T b) {
  if constexpr (kIsInt<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(a) - static_cast<U>(b));
  } else {
    return a - b;
  }
}

template <class T>
T mul(T a, T b) {
  if constexpr (kIsInt<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(a) * static_cast<U>(b));
  } else if constexpr (kIsBool<T>) {
    return a & b;
  } else {
    return a * b;
  }
}

template <class T>
T neg(T a) {
  return sub(T{0}, a);
}

/// True when `b` is an integer zero (a divisor Div and Mod must reject).
template <class T>
bool isZero(T b) {
  if constexpr (kIsInt<T>) return b == 0;
  else return false;
}

/// Div: IEEE for f32; truncation toward zero for integers (b != 0, checked by the caller).
template <class T>
T div(T a, T b) {
  if constexpr (kIsInt<T>) return b == -1 ? neg(a) : static_cast<T>(a / b);
  else return a / b;
}

/// Mod: std::fmod for f32; the sign of the divisor for integers (b != 0).
template <class T>
T mod(T a, T b) {
  if constexpr (kIsInt<T>) {
    if (b == -1) return 0;
    T r = static_cast<T>(a % b);
    if (r != 0 && ((r < 0) != (b < 0))) r = static_cast<T>(r + b);
    return r;
  } else {
    return std::fmod(a, b);
  }
}

template <class T>
T pow(T a, T b) {
  if constexpr (kIsInt<T>) {
    if (b < 0) {
      if (a == 1) return 1;
      if (a == -1) return (b % 2 == 0) ? 1 : -1;
      return 0;
    }
    T result = 1;
    T base = a;
    for (T e = b; e > 0; e = static_cast<T>(e >> 1)) {
      if (e & 1) result = mul(result, base);
      base = mul(base, base);
    }
    return result;
  } else {
    return std::pow(a, b);
  }
}

template <class T>
T max(T a, T b) {
  if constexpr (kIsFloat<T>) {
    if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<float>::quiet_NaN();
  }
  return a < b ? b : a;
}

template <class T>
T min(T a, T b) {
  if constexpr (kIsFloat<T>) {
    if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<float>::quiet_NaN();
  }
  return b < a ? b : a;
}

template <class T>
T abs(T a) {
  if constexpr (kIsFloat<T>) return std::fabs(a);
  else return a < 0 ? neg(a) : a;
}

template <class T>
T relu(T a) {
  return a < 0 ? T{0} : a;
}

template <class T>
T sign(T a) {
  if (a > 0) return T{1};
  if (a < 0) return T{-1};
  return a;
}

/// Rounds half to even, independently of the floating-point environment.
inline float roundHalfEven(float x) {
  float f = std::floor(x);
  float diff = x - f;
  if (diff > 0.5f) return f + 1;
  if (diff < 0.5f) return f;
  return std::fmod(f, 2.0f) == 0 ? f : f + 1;
}

inline float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

/// Converts one element between the supported types (see the file comment).
template <class To, class From>
To convert(From x) {
  if constexpr (std::is_same_v<To, From>) {
    return x;
  } else if constexpr (kIsBool<To>) {
    return x != 0 ? 1 : 0;
  } else if constexpr (kIsFloat<To>) {
    return static_cast<float>(x);
  } else if constexpr (std::is_floating_point_v<From>) {
    // Saturating float -> integer conversion; NaN gives 0.
    if (std::isnan(x)) return 0;
    constexpr From upper = static_cast<From>(std::numeric_limits<To>::max());  // 2^bits-1 -> 2^bits
    if (x >= upper) return std::numeric_limits<To>::max();
    if (x <= static_cast<From>(std::numeric_limits<To>::lowest()))
      return std::numeric_limits<To>::lowest();
    return static_cast<To>(x);
  } else {
    return static_cast<To>(x);  // integer -> integer wraps (C++20), bool -> 0 or 1
  }
}

/// Combines an existing value `acc` with a written value `x` under write-conflict resolution W.
template <ir::Wcr W, class T>
T combine(T acc, T x) {
  if constexpr (W == ir::Wcr::Sum) return add(acc, x);
  else if constexpr (W == ir::Wcr::Product) return mul(acc, x);
  else if constexpr (W == ir::Wcr::Max) return max(acc, x);  // bool: "or"
  else if constexpr (W == ir::Wcr::Min) return min(acc, x);  // bool: "and"
  else return x;
}

/// Combines `n` >= 1 values under W. Eight interleaved partial results (then folded in order)
/// keep the loop vectorisable and the result deterministic.
template <ir::Wcr W, class T>
T reduce(const T* v, int64_t n) {
  constexpr int64_t kWays = 8;
  if (n < 2 * kWays) {
    T acc = v[0];
    for (int64_t i = 1; i < n; ++i) acc = combine<W>(acc, v[i]);
    return acc;
  }
  T part[kWays];
  for (int64_t j = 0; j < kWays; ++j) part[j] = v[j];
  int64_t i = kWays;
  for (; i + kWays <= n; i += kWays)
    for (int64_t j = 0; j < kWays; ++j) part[j] = combine<W>(part[j], v[i + j]);
  T acc = part[0];
  for (int64_t j = 1; j < kWays; ++j) acc = combine<W>(acc, part[j]);
  for (; i < n; ++i) acc = combine<W>(acc, v[i]);
  return acc;
}

}  // namespace conflux::targets::reference::ops
