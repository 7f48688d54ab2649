#include "tests/frontends/onnx_builder.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "ir/error.h"

namespace conflux::testing {

namespace {

int32_t onnxType(ir::DType dtype) {
  switch (dtype) {
    case ir::DType::F32: return onnx::TensorProto::FLOAT;
    case ir::DType::F16: return onnx::TensorProto::FLOAT16;
    case ir::DType::BF16: return onnx::TensorProto::BFLOAT16;
    case ir::DType::I64: return onnx::TensorProto::INT64;
    case ir::DType::I32: return onnx::TensorProto::INT32;
    case ir::DType::Bool: return onnx::TensorProto::BOOL;
  }
  return onnx::TensorProto::UNDEFINED;
}

void fillValueInfo(onnx::ValueInfoProto* info, const std::string& name, int32_t elemType,
                   const std::vector<int64_t>& dims) {
  info->set_name(name);
  onnx::TypeProto::Tensor* tensor = info->mutable_type()->mutable_tensor_type();
  tensor->set_elem_type(elemType);
  onnx::TensorShapeProto* shape = tensor->mutable_shape();
  for (int64_t d : dims) {
    onnx::TensorShapeProto::Dimension* dim = shape->add_dim();
    if (d == kSymbolic) dim->set_dim_param("N");
    else dim->set_dim_value(d);
  }
}

onnx::AttributeProto* addAttr(onnx::NodeProto& node, const std::string& name,
                              onnx::AttributeProto::AttributeType type) {
  onnx::AttributeProto* attr = node.add_attribute();
  attr->set_name(name);
  attr->set_type(type);
  return attr;
}

}  // namespace

OnnxModelBuilder::OnnxModelBuilder(int64_t opset, const std::string& graphName) {
  model_.set_ir_version(8);
  model_.set_producer_name("conflux-tests");
  onnx::OperatorSetIdProto* set = model_.add_opset_import();
  set->set_domain("");
  set->set_version(opset);
  model_.mutable_graph()->set_name(graphName);
}

OnnxModelBuilder& OnnxModelBuilder::input(const std::string& name, int32_t elemType,
                                          const std::vector<int64_t>& dims) {
  fillValueInfo(model_.mutable_graph()->add_input(), name, elemType, dims);
  return *this;
}

OnnxModelBuilder& OnnxModelBuilder::output(const std::string& name, int32_t elemType,
                                           const std::vector<int64_t>& dims) {
  fillValueInfo(model_.mutable_graph()->add_output(), name, elemType, dims);
  return *this;
}

OnnxModelBuilder& OnnxModelBuilder::untypedOutput(const std::string& name) {
  model_.mutable_graph()->add_output()->set_name(name);
  return *this;
}

OnnxModelBuilder& OnnxModelBuilder::initializer(const std::string& name, const ir::Tensor& value) {
  *model_.mutable_graph()->add_initializer() = tensorProto(name, value);
  return *this;
}

OnnxModelBuilder& OnnxModelBuilder::ints(const std::string& name, const std::vector<int64_t>& values) {
  onnx::TensorProto* t = model_.mutable_graph()->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::INT64);
  t->add_dims(static_cast<int64_t>(values.size()));
  for (int64_t v : values) t->add_int64_data(v);
  return *this;
}

onnx::NodeProto& OnnxModelBuilder::node(const std::string& op, const std::vector<std::string>& inputs,
                                        const std::vector<std::string>& outputs, const std::string& name) {
  onnx::NodeProto* node = model_.mutable_graph()->add_node();
  node->set_op_type(op);
  node->set_name(name);
  for (const std::string& in : inputs) node->add_input(in);
  for (const std::string& out : outputs) node->add_output(out);
  return *node;
}

std::string OnnxModelBuilder::write(const std::string& fileName) const {
  std::string path = tempFile(fileName);
  std::ofstream out(path, std::ios::binary);
  if (!model_.SerializeToOstream(&out)) throw Error("cannot write " + path);
  return path;
}

void setAttr(onnx::NodeProto& node, const std::string& name, int64_t value) {
  addAttr(node, name, onnx::AttributeProto::INT)->set_i(value);
}

void setAttr(onnx::NodeProto& node, const std::string& name, double value) {
  addAttr(node, name, onnx::AttributeProto::FLOAT)->set_f(static_cast<float>(value));
}

void setAttr(onnx::NodeProto& node, const std::string& name, const std::string& value) {
  addAttr(node, name, onnx::AttributeProto::STRING)->set_s(value);
}

void setAttr(onnx::NodeProto& node, const std::string& name, const std::vector<int64_t>& values) {
  onnx::AttributeProto* attr = addAttr(node, name, onnx::AttributeProto::INTS);
  for (int64_t v : values) attr->add_ints(v);
}

void setAttr(onnx::NodeProto& node, const std::string& name, const ir::Tensor& value) {
  *addAttr(node, name, onnx::AttributeProto::TENSOR)->mutable_t() = tensorProto("", value);
}

onnx::TensorProto tensorProto(const std::string& name, const ir::Tensor& value) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(onnxType(value.dtype()));
  for (int64_t d : value.shape()) t.add_dims(d);
  t.set_raw_data(std::string(reinterpret_cast<const char*>(value.bytes()), value.byteSize()));
  return t;
}

std::string tempFile(const std::string& fileName) {
  // One folder per test process (tests run concurrently), removed when the process exits.
  static const struct Folder {
    std::filesystem::path path =
        std::filesystem::temp_directory_path() / ("conflux_frontends_" + std::to_string(getpid()));
    ~Folder() {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    }
  } folder;
  std::filesystem::create_directories(folder.path);
  return (folder.path / fileName).string();
}

}  // namespace conflux::testing
