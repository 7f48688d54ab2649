#pragma once
// ONNX files outside a model load: serialized TensorProto files (the inputs and expected outputs
// of the ONNX conformance suite) and a quick summary of a model's ops and dtypes.
#include <string>
#include <vector>

#include "ir/tensor.h"

namespace conflux::frontends {

/// Reads a serialized onnx TensorProto file (test_data_set_*/input_0.pb); throws conflux::Error
/// naming the file on bad bytes or an unsupported dtype.
ir::Tensor readTensorProtoFile(const std::string& path);

/// The name stored in that TensorProto file.
std::string tensorProtoName(const std::string& path);

/// The op types of the nodes of an ONNX model (in node order), its graph inputs and whether all
/// its tensors use dtypes Conflux supports.
struct OnnxModelSummary {
  std::vector<std::string> opTypes;
  std::vector<std::string> inputs;  // graph inputs that are no initializers, in order
  bool supportedDtypes = true;
};

/// Summarises an ONNX model file; throws conflux::Error on an unreadable file.
OnnxModelSummary summarizeOnnxModel(const std::string& path);

}  // namespace conflux::frontends
