// The cpu target's contraction schedules, each on a graph that selects it, against the reference
// target: a blocked long-reduction GEMM, a stride-2 convolution (lanes along output channels),
// a depthwise convolution (lanes along image columns), and a small-image convolution whose
// constant weights are packed once at load and must stay packed across runs.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/conflux.h"
#include "api/random_inputs.h"

namespace conflux {
namespace {

/// A constant tensor entry of graph JSON with `count` values cycling through small fractions.
std::string constant(const std::string& shape, int count) {
  std::ostringstream out;
  out << "{\"shape\": " << shape << ", \"dtype\": \"float32\", \"kind\": \"constant\", \"data\": [";
  for (int i = 0; i < count; ++i) out << (i ? ", " : "") << ((i * 37) % 19 - 9) / 16.0;
  out << "]}";
  return out.str();
}

/// Loads graph JSON text through a temporary file.
ir::Graph loadJson(const std::string& json, const std::string& name) {
  std::filesystem::path path = std::filesystem::temp_directory_path() / (name + ".cpu_schedules_test.json");
  std::ofstream(path) << json;
  ir::Graph graph = api::load(path.string());
  std::filesystem::remove(path);
  return graph;
}

/// Runs `graph` unoptimised on the reference target and at -O3 on the cpu target, on two sets of
/// random inputs through one executable; expects every output within `tolerance` (relative to
/// max(1, |reference|)).
void expectCpuMatchesReference(const ir::Graph& graph, double tolerance) {
  ir::Graph optimised = graph;
  api::optimize(optimised, {});
  std::unique_ptr<api::Executable> reference = api::compile(graph, "reference");
  std::unique_ptr<api::Executable> cpu = api::compile(optimised, "cpu");
  for (uint64_t seed : {3, 4}) {
    api::TensorMap inputs = api::randomInputs(graph, seed);
    api::TensorMap want = reference->run(inputs), got = cpu->run(inputs);
    for (const std::string& name : graph.outputs())
      for (int64_t i = 0; i < want.at(name).numElements(); ++i) {
        double w = want.at(name).at(i);
        ASSERT_NEAR(got.at(name).at(i), w, tolerance * std::max(1.0, std::abs(w)))
            << name << " element " << i << ", seed " << seed;
      }
  }
}

TEST(CpuSchedules, ALongReductionGemmRunsInBlocks) {
  // B is 1 MiB (its panels go outermost) and K = 2048 (four blocks of 512 steps).
  expectCpuMatchesReference(loadJson(R"({"format": "conflux-graph", "version": 1, "name": "gemm",
    "tensors": {"x": {"shape": [16, 2048], "dtype": "float32", "kind": "input"},
                "w": {"shape": [2048, 128], "dtype": "float32", "kind": "input"},
                "b": {"shape": [128], "dtype": "float32", "kind": "input"},
                "y": {"shape": [16, 128], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "mm", "op": "MatMul", "inputs": ["x", "w"], "outputs": ["h"]},
              {"name": "bias", "op": "Add", "inputs": ["h", "b"], "outputs": ["y"]}]})", "gemm"),
                            1e-4);
}

TEST(CpuSchedules, AStrideTwoConvolutionRunsItsLanesAlongChannels) {
  expectCpuMatchesReference(loadJson(R"({"format": "conflux-graph", "version": 1, "name": "stem",
    "tensors": {"x": {"shape": [1, 3, 32, 32], "dtype": "float32", "kind": "input"},
                "w": {"shape": [32, 3, 7, 7], "dtype": "float32", "kind": "input"},
                "y": {"shape": [1, 32, 16, 16], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "conv", "op": "Conv", "inputs": ["x", "w"], "outputs": ["y"],
               "attrs": {"strides": [2, 2], "pads": [3, 3, 3, 3]}}]})", "stem"),
                            1e-4);
}

TEST(CpuSchedules, ADepthwiseConvolutionWithConstantWeights) {
  expectCpuMatchesReference(loadJson(R"({"format": "conflux-graph", "version": 1, "name": "dw",
    "tensors": {"x": {"shape": [1, 32, 20, 20], "dtype": "float32", "kind": "input"},
                "w": )" + constant("[32, 1, 3, 3]", 288) + R"(,
                "y": {"shape": [1, 32, 20, 20], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "conv", "op": "Conv", "inputs": ["x", "w"], "outputs": ["h"],
               "attrs": {"group": 32, "pads": [1, 1, 1, 1]}},
              {"name": "act", "op": "Relu", "inputs": ["h"], "outputs": ["y"]}]})", "dw"),
                            1e-4);
}

TEST(CpuSchedules, ConstantWeightsPackedAtLoadServeEveryRun) {
  // 64 output channels over a 7x7 image: lanes along channels read the weights packed once.
  expectCpuMatchesReference(loadJson(R"({"format": "conflux-graph", "version": 1, "name": "small",
    "tensors": {"x": {"shape": [1, 32, 7, 7], "dtype": "float32", "kind": "input"},
                "w": )" + constant("[64, 32, 3, 3]", 64 * 32 * 9) + R"(,
                "y": {"shape": [1, 64, 7, 7], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "conv", "op": "Conv", "inputs": ["x", "w"], "outputs": ["y"],
               "attrs": {"pads": [1, 1, 1, 1]}}]})", "small"),
                            1e-4);
}

}  // namespace
}  // namespace conflux
