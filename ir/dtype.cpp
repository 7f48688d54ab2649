#include "ir/dtype.h"

#include <array>
#include <utility>

#include "ir/error.h"

namespace conflux::ir {
namespace {

struct DTypeInfo {
  DType type;
  std::string_view name;
  std::string_view longName;
  int64_t bytes;
};

constexpr std::array<DTypeInfo, 6> kDTypes{{
    {DType::F32, "f32", "float32", 4},
    {DType::BF16, "bf16", "bfloat16", 2},
    {DType::F16, "f16", "float16", 2},
    {DType::I64, "i64", "int64", 8},
    {DType::I32, "i32", "int32", 4},
    {DType::Bool, "bool", "bool", 1},
}};

const DTypeInfo& info(DType type) {
  for (const auto& i : kDTypes)
    if (i.type == type) return i;
  CONFLUX_ASSERT(false, "unknown dtype enumerator");
}

}  // namespace

int64_t dtypeBytes(DType type) { return info(type).bytes; }

std::string_view dtypeName(DType type) { return info(type).name; }

DType parseDType(std::string_view name, const std::string& what) {
  for (const auto& i : kDTypes)
    if (i.name == name || i.longName == name) return i.type;
  throw Error(what + ": unknown dtype '" + std::string(name) +
              "' (expected float32, bfloat16, float16, int64, int32 or bool)");
}

bool isFloat(DType type) { return type == DType::F32 || type == DType::BF16 || type == DType::F16; }

}  // namespace conflux::ir
