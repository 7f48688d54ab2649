#pragma once
// Builds small ONNX models through the protobuf API (onnx::ModelProto) for frontend tests, and
// writes them to temporary files for loadModel.
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ir/tensor.h"

namespace conflux::testing {

/// A dimension written as a dim_param ("N") instead of a value.
constexpr int64_t kSymbolic = -1;

/// A fluent builder of one-graph ONNX models (default domain only).
class OnnxModelBuilder {
 public:
  explicit OnnxModelBuilder(int64_t opset = 17, const std::string& graphName = "test_graph");

  /// Declares a graph input of ONNX element type `elemType` (onnx::TensorProto::FLOAT...).
  OnnxModelBuilder& input(const std::string& name, int32_t elemType, const std::vector<int64_t>& dims);
  /// Declares a typed graph output (checked against inference).
  OnnxModelBuilder& output(const std::string& name, int32_t elemType, const std::vector<int64_t>& dims);
  /// Declares a graph output without a type.
  OnnxModelBuilder& untypedOutput(const std::string& name);
  /// Adds an initializer holding `value`, stored as raw_data.
  OnnxModelBuilder& initializer(const std::string& name, const ir::Tensor& value);
  /// Adds an int64 initializer (typed int64_data field).
  OnnxModelBuilder& ints(const std::string& name, const std::vector<int64_t>& values);
  /// Appends a node and returns it for attributes.
  onnx::NodeProto& node(const std::string& op, const std::vector<std::string>& inputs,
                        const std::vector<std::string>& outputs, const std::string& name = "");

  onnx::ModelProto& proto() { return model_; }
  /// Serializes the model to a fresh temporary file and returns its path.
  std::string write(const std::string& fileName) const;

 private:
  onnx::ModelProto model_;
};

void setAttr(onnx::NodeProto& node, const std::string& name, int64_t value);
void setAttr(onnx::NodeProto& node, const std::string& name, double value);
void setAttr(onnx::NodeProto& node, const std::string& name, const std::string& value);
void setAttr(onnx::NodeProto& node, const std::string& name, const std::vector<int64_t>& values);
void setAttr(onnx::NodeProto& node, const std::string& name, const ir::Tensor& value);

/// The TensorProto of a tensor (raw_data).
onnx::TensorProto tensorProto(const std::string& name, const ir::Tensor& value);

/// A path under the system temporary folder, unique to this test process, which removes the
/// folder when it exits.
std::string tempFile(const std::string& fileName);

/// The message of the conflux::Error `load` throws, or "no error".
template <typename F>
std::string errorOf(F&& load);

}  // namespace conflux::testing

#include "ir/error.h"

template <typename F>
std::string conflux::testing::errorOf(F&& load) {
  try {
    load();
  } catch (const conflux::Error& e) {
    return e.what();
  }
  return "no error";
}
