#pragma once
// Internal to frontends/: parsing ONNX protobuf files and converting their messages to Conflux
// values, shared by the ONNX model reader and the public TensorProto / summary functions. It
// includes the protobuf types, so no public header may include it.
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <optional>
#include <string>

#include "ir/tensor.h"

namespace conflux::frontends {

/// Converts a TensorProto (raw_data or typed fields) into a tensor. Checks the dtype, the dims
/// and the amount of data before allocating; throws conflux::Error naming `what` otherwise.
ir::Tensor tensorFromProto(const onnx::TensorProto& proto, const std::string& what);

/// Parses an .onnx file; throws conflux::Error naming it when it is missing, empty, truncated or
/// not an ONNX model (no graph).
onnx::ModelProto parseModelFile(const std::string& path);

/// Parses a serialized TensorProto file; throws conflux::Error naming it on bad bytes.
onnx::TensorProto parseTensorFile(const std::string& path);

}  // namespace conflux::frontends
