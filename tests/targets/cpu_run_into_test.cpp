// Executable::runInto, as a framework calls it with output buffers of its own: the cpu target
// writes the outputs into the caller's tensors, run after run, with the values `run` returns;
// a missing output or one of another dtype or shape is an error naming it, before anything runs;
// targets without a way of their own (the reference interpreter) copy what `run` returns.
#include <gtest/gtest.h>

#include <string>

#include "api/conflux.h"
#include "api/random_inputs.h"
#include "ir/error.h"
#include "tests/support/graph_json.h"
#include "tests/support/tensor_maps.h"

namespace conflux {
namespace {

/// A dense layer with a constant bias and a ReLU (a tiled contraction with packed weights),
/// whose pre-activation t is a graph output too.
ir::Graph denseLayer() {
  ir::Graph graph = testing::loadGraphJson(R"({"format": "conflux-graph", "version": 1, "name": "dense",
    "tensors": {"x": {"shape": [16, 96], "dtype": "float32", "kind": "input"},
                "w": )" + testing::constantTensorJson("[96, 48]", 96 * 48) + R"(,
                "b": )" + testing::constantTensorJson("[48]", 48) + R"(,
                "t": {"shape": [16, 48], "dtype": "float32", "kind": "output"},
                "y": {"shape": [16, 48], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "mm", "op": "MatMul", "inputs": ["x", "w"], "outputs": ["h"]},
              {"name": "bias", "op": "Add", "inputs": ["h", "b"], "outputs": ["t"]},
              {"name": "act", "op": "Relu", "inputs": ["t"], "outputs": ["y"]}]})",
                                               "dense");
  api::optimize(graph, {});
  return graph;
}

/// Tensors for `graph`'s outputs, filled with `fill`.
api::TensorMap outputBuffers(const ir::Graph& graph, double fill) {
  api::TensorMap outputs;
  for (const std::string& name : graph.outputs()) {
    const ir::DataDesc& desc = graph.array(name);
    ir::Tensor t(desc.dtype, desc.shape, name);
    for (int64_t i = 0; i < t.numElements(); ++i) t.set(i, fill);
    outputs.emplace(name, std::move(t));
  }
  return outputs;
}

/// Expects runInto of `program` to throw conflux::Error naming `name` and leave `outputs` as
/// they were (filled with -7).
void expectRejected(api::Executable& program, const api::TensorMap& inputs, api::TensorMap& outputs,
                    const std::string& name) {
  try {
    program.runInto(inputs, outputs);
    ADD_FAILURE() << "runInto accepted bad outputs";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("output '" + name + "'"), std::string::npos) << e.what();
  }
  for (const auto& [out, tensor] : outputs)
    for (int64_t i = 0; i < tensor.numElements(); ++i) ASSERT_EQ(tensor.at(i), -7) << out << " was written";
}

TEST(CpuRunInto, WritesTheOutputsOfEachRunIntoTheCallersTensors) {
  ir::Graph graph = denseLayer();
  std::unique_ptr<api::Executable> program = api::compile(graph, "cpu");
  api::TensorMap outputs = outputBuffers(graph, -7);
  const std::byte* y = outputs.at("y").bytes();
  for (uint64_t seed : {1, 2}) {
    api::TensorMap inputs = api::randomInputs(graph, seed);
    program->runInto(inputs, outputs);
    testing::expectSameTensors(program->run(inputs), outputs);
    EXPECT_EQ(outputs.at("y").bytes(), y) << "the caller's tensor was replaced";
  }
}

TEST(CpuRunInto, AMissingOutputOrOneOfAnotherShapeOrDtypeIsAnErrorNamingIt) {
  ir::Graph graph = denseLayer();
  std::unique_ptr<api::Executable> program = api::compile(graph, "cpu");
  api::TensorMap inputs = api::randomInputs(graph, 1);
  api::TensorMap missing = outputBuffers(graph, -7);
  missing.erase("t");
  expectRejected(*program, inputs, missing, "t");
  api::TensorMap reshaped = outputBuffers(graph, -7);
  reshaped.at("y") = ir::Tensor(ir::DType::F32, {48, 16}, "y");
  for (int64_t i = 0; i < reshaped.at("y").numElements(); ++i) reshaped.at("y").set(i, -7);
  expectRejected(*program, inputs, reshaped, "y");
  api::TensorMap retyped = outputBuffers(graph, -7);
  retyped.at("y") = ir::Tensor(ir::DType::I64, {16, 48}, "y");
  for (int64_t i = 0; i < retyped.at("y").numElements(); ++i) retyped.at("y").set(i, -7);
  expectRejected(*program, inputs, retyped, "y");
}

TEST(CpuRunInto, TheReferenceTargetCopiesWhatRunReturns) {
  ir::Graph graph = denseLayer();
  std::unique_ptr<api::Executable> reference = api::compile(graph, "reference");
  api::TensorMap inputs = api::randomInputs(graph, 3);
  api::TensorMap outputs = outputBuffers(graph, -7);
  reference->runInto(inputs, outputs);
  testing::expectSameTensors(reference->run(inputs), outputs);
}

}  // namespace
}  // namespace conflux
