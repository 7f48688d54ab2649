#pragma once
// Element types of IR arrays and tasklet expressions.
#include <cstdint>
#include <string>
#include <string_view>

namespace conflux::ir {

/// The element types an array or expression can have (a closed list).
enum class DType { F32, BF16, F16, I64, I32, Bool };

/// Size of one element in bytes.
int64_t dtypeBytes(DType type);

/// Short IR name: "f32", "bf16", "f16", "i64", "i32", "bool".
std::string_view dtypeName(DType type);

/// Parses a short IR name or an ONNX/NumPy-style long name ("float32", "int64", ...);
/// throws conflux::Error naming `what` when the name is unknown.
DType parseDType(std::string_view name, const std::string& what);

/// True for f32, bf16 and f16.
bool isFloat(DType type);

}  // namespace conflux::ir
