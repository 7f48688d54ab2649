#pragma once
// The options of every command that reads a model: sizes for the open dimensions of its graph
// inputs (a model exported with a dynamic batch or sequence length).
#include "api/conflux.h"
#include "tools/arguments.h"

namespace conflux::tools {

/// Takes --dims NAME=SIZE,... (named dimensions, ONNX dim_params) and --shapes
/// INPUT=AxBx...,... (whole input shapes); throws conflux::Error naming a malformed item.
api::LoadOptions loadOptions(Arguments& args);

}  // namespace conflux::tools
