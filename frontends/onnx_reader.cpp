#include "frontends/onnx_reader.h"

#include <algorithm>

#include <onnx/defs/schema.h>

#include "frontends/model.h"
#include "frontends/onnx_proto.h"
#include "ir/error.h"

namespace conflux::frontends {

namespace {

/// The opsets whose operator semantics the op table follows (older ones differ too much).
constexpr int64_t kMinOpset = 7;
constexpr int64_t kMaxOpset = 20;

std::string supportedRange() {
  return "expected " + std::to_string(kMinOpset) + " to " + std::to_string(kMaxOpset);
}

/// A model older than kMinOpset is read with opset-kMinOpset semantics when every op it uses
/// is defined there exactly as in its own opset (ONNX's schema registry says since when).
void checkOldOpsetMatchesMinimum(const onnx::ModelProto& model, int64_t version) {
  for (const onnx::NodeProto& node : model.graph().node()) {
    const onnx::OpSchema* own = onnx::OpSchemaRegistry::Schema(node.op_type(), static_cast<int>(version));
    const onnx::OpSchema* minimum = onnx::OpSchemaRegistry::Schema(node.op_type(), static_cast<int>(kMinOpset));
    if (own == nullptr || minimum == nullptr || own->since_version() != minimum->since_version())
      throw Error("opset " + std::to_string(version) + " is not supported (" + supportedRange() + "): node '" +
                  node.name() + "' (" + node.op_type() + ") changed meaning since");
  }
}

/// The ai.onnx opset whose operator semantics the op rules apply.
int64_t defaultDomainOpset(const onnx::ModelProto& model) {
  for (const onnx::OperatorSetIdProto& opset : model.opset_import())
    if (opset.domain().empty() || opset.domain() == "ai.onnx") {
      if (opset.version() > kMaxOpset)
        throw Error("opset " + std::to_string(opset.version()) + " is not supported (" + supportedRange() + ")");
      if (opset.version() >= kMinOpset) return opset.version();
      checkOldOpsetMatchesMinimum(model, opset.version());
      return kMinOpset;
    }
  throw Error("the model imports no ai.onnx opset");
}

/// The declared dtype and shape of a graph input, output or intermediate.
TensorDecl declFromValueInfo(const onnx::ValueInfoProto& info) {
  TensorDecl decl;
  std::string what = "tensor '" + info.name() + "'";
  if (!info.has_type()) return decl;
  if (!info.type().has_tensor_type())
    throw Error(what + ": only tensors are supported (not sequences, maps or optionals)");
  const onnx::TypeProto::Tensor& type = info.type().tensor_type();
  if (type.elem_type() != onnx::TensorProto::UNDEFINED) {
    decl.dtype = dtypeFromOnnx(type.elem_type());
    if (!decl.dtype)
      throw Error(what + ": " + unsupportedDtypeMessage(type.elem_type()));
  }
  if (!type.has_shape()) return decl;
  std::vector<int64_t> shape;
  std::vector<std::string> names;
  for (const onnx::TensorShapeProto::Dimension& dim : type.shape().dim()) {
    names.push_back(dim.has_dim_value() ? "" : dim.dim_param());
    if (!dim.has_dim_value()) {
      shape.push_back(kUnknownDim);
      continue;
    }
    if (dim.dim_value() < 0)
      throw Error(what + ": negative dimension " + std::to_string(dim.dim_value()));
    shape.push_back(dim.dim_value());
  }
  decl.shape = std::move(shape);
  if (std::any_of(names.begin(), names.end(), [](const std::string& n) { return !n.empty(); }))
    decl.dimNames = std::move(names);
  return decl;
}

TensorDecl declFromInitializer(const onnx::TensorProto& proto) {
  auto value = std::make_shared<const ir::Tensor>(
      tensorFromProto(proto, "initializer '" + proto.name() + "'"));
  return {value->dtype(), value->shape(), value, {}};
}

AttrValue attributeValue(const onnx::AttributeProto& attr, const std::string& what) {
  if (!attr.ref_attr_name().empty())
    throw Error(what + ": attribute references (functions) are not supported");
  switch (attr.type()) {
    case onnx::AttributeProto::FLOAT: return static_cast<double>(attr.f());
    case onnx::AttributeProto::INT: return attr.i();
    case onnx::AttributeProto::STRING: return attr.s();
    case onnx::AttributeProto::TENSOR: return tensorFromProto(attr.t(), what);
    case onnx::AttributeProto::FLOATS: return std::vector<double>(attr.floats().begin(), attr.floats().end());
    case onnx::AttributeProto::INTS: return std::vector<int64_t>(attr.ints().begin(), attr.ints().end());
    case onnx::AttributeProto::STRINGS:
      return std::vector<std::string>(attr.strings().begin(), attr.strings().end());
    default:
      throw Error(what + ": attribute type " + onnx::AttributeProto::AttributeType_Name(attr.type()) +
                  " is not supported (expected int, float, string, tensor or a list of them)");
  }
}

ModelNode nodeFromProto(const onnx::NodeProto& proto, size_t index) {
  ModelNode node;
  node.op = proto.op_type();
  node.name = proto.name().empty() ? node.op + "_" + std::to_string(index) : proto.name();
  if (!proto.domain().empty() && proto.domain() != "ai.onnx")
    throw Error(node.describe() + ": operator domain '" + proto.domain() +
                "' is not supported (expected the default ONNX domain)");
  node.inputs.assign(proto.input().begin(), proto.input().end());
  node.outputs.assign(proto.output().begin(), proto.output().end());
  for (const onnx::AttributeProto& attr : proto.attribute()) {
    std::string what = node.describe() + " attribute '" + attr.name() + "'";
    if (!node.attrs.emplace(attr.name(), attributeValue(attr, what)).second)
      throw Error(what + " is given twice");
  }
  return node;
}

}  // namespace

Model readOnnxModel(const std::string& path) {
  onnx::ModelProto proto = parseModelFile(path);
  const onnx::GraphProto& graph = proto.graph();
  Model model;
  model.source = path;
  model.name = graph.name();
  model.opset = defaultDomainOpset(proto);
  if (graph.sparse_initializer_size() > 0) throw Error("sparse initializers are not supported");
  for (const onnx::TensorProto& init : graph.initializer()) {
    if (init.name().empty()) throw Error("an initializer has no name");
    if (!model.tensors.emplace(init.name(), declFromInitializer(init)).second)
      throw Error("initializer '" + init.name() + "' is defined twice");
  }
  for (const onnx::ValueInfoProto& input : graph.input()) {
    if (model.tensors.count(input.name())) continue;  // an initializer: a constant, not an input
    model.tensors[input.name()] = declFromValueInfo(input);
    model.inputs.push_back(input.name());
  }
  for (const onnx::ValueInfoProto& output : graph.output()) {
    TensorDecl decl = declFromValueInfo(output);
    auto [it, fresh] = model.tensors.emplace(output.name(), decl);
    if (!fresh && !it->second.shape) it->second.shape = decl.shape;
    model.outputs.push_back(output.name());
  }
  for (const onnx::ValueInfoProto& info : graph.value_info())
    model.tensors.emplace(info.name(), declFromValueInfo(info));
  for (int i = 0; i < graph.node_size(); ++i)
    model.nodes.push_back(nodeFromProto(graph.node(i), static_cast<size_t>(i)));
  return model;
}

}  // namespace conflux::frontends
