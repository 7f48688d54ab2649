#include "frontends/onnx_initializers.h"

#include <algorithm>
#include <fstream>

#include "frontends/model.h"
#include "frontends/onnx_proto.h"
#include "ir/error.h"

namespace conflux::frontends {
namespace {

/// The ONNX element type of `dtype` (the inverse of dtypeFromOnnx).
int32_t onnxElementType(ir::DType dtype) {
  for (int32_t t = onnx::TensorProto::UNDEFINED; t <= onnx::TensorProto::BFLOAT16; ++t)
    if (dtypeFromOnnx(t) == dtype) return t;
  throw Error("no ONNX element type for " + std::string(ir::dtypeName(dtype)));
}

/// Checks that `value` matches the declared type of graph input `input`.
void checkMatches(const onnx::ValueInfoProto& input, const ir::Tensor& value, const std::string& where) {
  const onnx::TypeProto::Tensor& type = input.type().tensor_type();
  std::vector<int64_t> shape;
  for (const auto& dim : type.shape().dim()) shape.push_back(dim.has_dim_value() ? dim.dim_value() : -1);
  if (dtypeFromOnnx(type.elem_type()) != value.dtype() || shape != value.shape())
    throw Error(where + ": the value given for input '" + input.name() + "' has another dtype or shape");
}

}  // namespace

void freezeInputs(const std::string& modelPath, const std::map<std::string, ir::Tensor>& values,
                  const std::string& outPath) {
  onnx::ModelProto model = parseModelFile(modelPath);
  onnx::GraphProto* graph = model.mutable_graph();
  for (const auto& [name, value] : values) {
    auto& inputs = *graph->mutable_input();
    auto input = std::find_if(inputs.begin(), inputs.end(), [&](const auto& i) { return i.name() == name; });
    if (input == inputs.end()) throw Error(modelPath + ": no graph input '" + name + "'");
    checkMatches(*input, value, modelPath);
    inputs.erase(input);
    auto& initializers = *graph->mutable_initializer();
    initializers.erase(std::remove_if(initializers.begin(), initializers.end(),
                                      [&](const auto& t) { return t.name() == name; }),
                       initializers.end());
    onnx::TensorProto* tensor = graph->add_initializer();
    tensor->set_name(name);
    tensor->set_data_type(onnxElementType(value.dtype()));
    for (int64_t d : value.shape()) tensor->add_dims(d);
    tensor->set_raw_data(reinterpret_cast<const char*>(value.bytes()), value.byteSize());
  }
  std::ofstream out(outPath, std::ios::binary);
  if (!out || !model.SerializeToOstream(&out)) throw Error(outPath + ": cannot write the model");
}

}  // namespace conflux::frontends
