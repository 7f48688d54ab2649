#include "frontends/onnx_proto.h"

#include "frontends/model.h"
#include "frontends/source_file.h"
#include "ir/error.h"

namespace conflux::frontends {

namespace {

/// Number of values stored in the typed field that holds `dtype`.
int64_t typedFieldSize(const onnx::TensorProto& proto, ir::DType dtype) {
  switch (dtype) {
    case ir::DType::F32: return proto.float_data_size();
    case ir::DType::I64: return proto.int64_data_size();
    case ir::DType::I32:
    case ir::DType::Bool:
    case ir::DType::F16:
    case ir::DType::BF16: return proto.int32_data_size();
  }
  return 0;
}

/// Copies the typed field into `tensor` (sizes already checked).
void copyTypedField(const onnx::TensorProto& proto, ir::Tensor& tensor) {
  int64_t n = tensor.numElements();
  switch (tensor.dtype()) {
    case ir::DType::F32:
      for (int64_t i = 0; i < n; ++i) tensor.data<float>()[i] = proto.float_data(static_cast<int>(i));
      break;
    case ir::DType::I64:
      for (int64_t i = 0; i < n; ++i) tensor.data<int64_t>()[i] = proto.int64_data(static_cast<int>(i));
      break;
    case ir::DType::I32:
      for (int64_t i = 0; i < n; ++i) tensor.data<int32_t>()[i] = proto.int32_data(static_cast<int>(i));
      break;
    case ir::DType::Bool:
      for (int64_t i = 0; i < n; ++i)
        tensor.data<uint8_t>()[i] = proto.int32_data(static_cast<int>(i)) != 0;
      break;
    case ir::DType::F16:
    case ir::DType::BF16:  // the 16-bit patterns are stored in int32_data
      for (int64_t i = 0; i < n; ++i)
        tensor.data<uint16_t>()[i] = static_cast<uint16_t>(proto.int32_data(static_cast<int>(i)));
      break;
  }
}

}  // namespace

ir::Tensor tensorFromProto(const onnx::TensorProto& proto, const std::string& what) {
  std::optional<ir::DType> dtype = dtypeFromOnnx(proto.data_type());
  if (!dtype)
    throw Error(what + ": " + unsupportedDtypeMessage(proto.data_type()));
  if (proto.data_location() == onnx::TensorProto::EXTERNAL)
    throw Error(what + ": tensors with external data are not supported");
  if (proto.has_segment()) throw Error(what + ": segmented tensors are not supported");
  std::vector<int64_t> shape(proto.dims().begin(), proto.dims().end());
  int64_t count = checkedElementCount(shape, what);
  int64_t elementBytes = ir::dtypeBytes(*dtype);
  // Check the data before allocating: a small file must not make us allocate a huge tensor.
  if (proto.has_raw_data()) {
    if (static_cast<int64_t>(proto.raw_data().size()) / elementBytes != count ||
        proto.raw_data().size() % static_cast<size_t>(elementBytes) != 0)
      throw Error(what + ": raw_data holds " + std::to_string(proto.raw_data().size()) +
                  " bytes, expected " + std::to_string(count) + " elements of " +
                  std::to_string(elementBytes) + " bytes");
  } else if (typedFieldSize(proto, *dtype) != count) {
    throw Error(what + ": holds " + std::to_string(typedFieldSize(proto, *dtype)) +
                " values, expected " + std::to_string(count));
  }
  if (proto.has_raw_data() && *dtype != ir::DType::Bool)
    return ir::Tensor(*dtype, std::move(shape), reinterpret_cast<const std::byte*>(proto.raw_data().data()), what);
  ir::Tensor tensor(*dtype, std::move(shape), what);
  if (proto.has_raw_data()) {  // bool: normalise any nonzero byte to 1
    for (int64_t i = 0; i < count; ++i)
      tensor.data<uint8_t>()[i] = proto.raw_data()[static_cast<size_t>(i)] != 0;
  } else {
    copyTypedField(proto, tensor);
  }
  return tensor;
}

onnx::ModelProto parseModelFile(const std::string& path) {
  MappedFile file(path);
  if (file.size() == 0) throw Error(path + ": empty file, expected an ONNX model");
  onnx::ModelProto model;
  if (!model.ParseFromArray(file.data(), static_cast<int>(file.size())))
    throw Error(path + ": not a valid ONNX model (truncated or corrupt protobuf)");
  if (!model.has_graph() || model.ir_version() <= 0)
    throw Error(path + ": not an ONNX model (no ir_version or no graph)");
  return model;
}

onnx::TensorProto parseTensorFile(const std::string& path) {
  MappedFile file(path);
  onnx::TensorProto tensor;
  if (file.size() == 0 || !tensor.ParseFromArray(file.data(), static_cast<int>(file.size())))
    throw Error(path + ": not a serialized ONNX TensorProto (empty, truncated or corrupt)");
  return tensor;
}

}  // namespace conflux::frontends
