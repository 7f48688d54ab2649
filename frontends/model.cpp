#include "frontends/model.h"

#include <iterator>

#include "ir/error.h"

namespace conflux::frontends {

namespace {

/// TensorProto.DataType names by code (onnx.proto).
constexpr const char* kOnnxTypeNames[] = {
    "UNDEFINED", "FLOAT", "UINT8",  "INT8",    "UINT16",    "INT16",     "INT32",
    "INT64",     "STRING", "BOOL",  "FLOAT16", "DOUBLE",    "UINT32",    "UINT64",
    "COMPLEX64", "COMPLEX128", "BFLOAT16"};

}  // namespace

std::string unsupportedDtypeMessage(int64_t onnxType) {
  return "data type " + onnxTypeName(onnxType) +
         " is not supported (Conflux reads float32, float16, bfloat16, int64, int32 and bool)";
}

std::optional<ir::DType> dtypeFromOnnx(int64_t onnxType) {
  switch (onnxType) {
    case 1: return ir::DType::F32;
    case 6: return ir::DType::I32;
    case 7: return ir::DType::I64;
    case 9: return ir::DType::Bool;
    case 10: return ir::DType::F16;
    case 16: return ir::DType::BF16;
    default: return std::nullopt;
  }
}

std::string onnxTypeName(int64_t onnxType) {
  if (onnxType < 0 || onnxType >= static_cast<int64_t>(std::size(kOnnxTypeNames)))
    return "data type " + std::to_string(onnxType);
  return kOnnxTypeNames[onnxType];
}

std::string formatShape(const std::vector<int64_t>& shape, const std::vector<std::string>& names) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    std::string open = i < names.size() && !names[i].empty() ? names[i] : "?";
    text += (i ? "," : "") + (shape[i] == kUnknownDim ? open : std::to_string(shape[i]));
  }
  return text + "]";
}

int64_t checkedElementCount(const std::vector<int64_t>& shape, const std::string& what) {
  int64_t count = 1;
  for (int64_t d : shape) {
    if (d < 0) throw Error(what + ": negative dimension " + std::to_string(d));
    if (d != 0 && count > kMaxElements / d)
      throw Error(what + ": shape has more than 2^40 elements");
    count *= d;
  }
  return count;
}

}  // namespace conflux::frontends
