#include "frontends/onnx_tensor.h"

#include <set>

#include "frontends/model.h"
#include "frontends/onnx_proto.h"

namespace conflux::frontends {

namespace {

bool isSupportedType(int32_t onnxType) { return dtypeFromOnnx(onnxType).has_value(); }

/// Whether a value_info (graph input, output or intermediate) is a tensor of a supported dtype.
/// Intermediates without a known element type say nothing and pass.
bool hasSupportedType(const onnx::ValueInfoProto& info) {
  if (!info.has_type()) return true;
  if (!info.type().has_tensor_type()) return false;
  const onnx::TypeProto::Tensor& tensor = info.type().tensor_type();
  return tensor.elem_type() == onnx::TensorProto::UNDEFINED || isSupportedType(tensor.elem_type());
}

/// Whether a node's attributes only hold supported dtypes (tensor values, Cast targets).
bool hasSupportedAttributes(const onnx::NodeProto& node) {
  for (const onnx::AttributeProto& attr : node.attribute()) {
    if (attr.has_t() && !isSupportedType(attr.t().data_type())) return false;
    if (node.op_type() == "Cast" && attr.name() == "to" && !isSupportedType(static_cast<int32_t>(attr.i())))
      return false;
  }
  return true;
}

bool graphHasSupportedDtypes(const onnx::GraphProto& graph) {
  for (const auto& list : {&graph.input(), &graph.output(), &graph.value_info()})
    for (const onnx::ValueInfoProto& info : *list)
      if (!hasSupportedType(info)) return false;
  for (const onnx::TensorProto& init : graph.initializer())
    if (!isSupportedType(init.data_type())) return false;
  for (const onnx::NodeProto& node : graph.node())
    if (!hasSupportedAttributes(node)) return false;
  return true;
}

}  // namespace

ir::Tensor readTensorProtoFile(const std::string& path) {
  onnx::TensorProto proto = parseTensorFile(path);
  std::string name = proto.name().empty() ? std::string("tensor") : "tensor '" + proto.name() + "'";
  return tensorFromProto(proto, path + ": " + name);
}

std::string tensorProtoName(const std::string& path) { return parseTensorFile(path).name(); }

OnnxModelSummary summarizeOnnxModel(const std::string& path) {
  onnx::ModelProto model = parseModelFile(path);
  OnnxModelSummary summary;
  for (const onnx::NodeProto& node : model.graph().node()) summary.opTypes.push_back(node.op_type());
  std::set<std::string> initializers;
  for (const onnx::TensorProto& t : model.graph().initializer()) initializers.insert(t.name());
  for (const onnx::ValueInfoProto& input : model.graph().input())
    if (!initializers.count(input.name())) summary.inputs.push_back(input.name());
  summary.supportedDtypes = graphHasSupportedDtypes(model.graph());
  return summary;
}

}  // namespace conflux::frontends
