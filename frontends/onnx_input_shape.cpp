#include "frontends/onnx_input_shape.h"

#include <algorithm>
#include <fstream>

#include "frontends/onnx_proto.h"
#include "ir/error.h"

namespace conflux::frontends {

void resizeInput(const std::string& modelPath, const std::string& name,
                 const std::vector<int64_t>& shape, const std::string& outPath) {
  onnx::ModelProto model = parseModelFile(modelPath);
  onnx::GraphProto* graph = model.mutable_graph();
  auto& inputs = *graph->mutable_input();
  auto input =
      std::find_if(inputs.begin(), inputs.end(), [&](const auto& i) { return i.name() == name; });
  if (input == inputs.end()) throw Error(modelPath + ": no graph input '" + name + "'");
  onnx::TensorShapeProto* dims = input->mutable_type()->mutable_tensor_type()->mutable_shape();
  if (dims->dim_size() != static_cast<int>(shape.size()))
    throw Error(modelPath + ": input '" + name + "' has rank " + std::to_string(dims->dim_size()) +
                ", not " + std::to_string(shape.size()));
  for (size_t k = 0; k < shape.size(); ++k)
    dims->mutable_dim(static_cast<int>(k))->set_dim_value(shape[k]);
  graph->clear_value_info();
  for (onnx::ValueInfoProto& output : *graph->mutable_output())
    output.mutable_type()->mutable_tensor_type()->clear_shape();
  std::ofstream out(outPath, std::ios::binary);
  if (!out || !model.SerializeToOstream(&out)) throw Error(outPath + ": cannot write the model");
}

}  // namespace conflux::frontends
