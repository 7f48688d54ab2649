// The cpu target used from several threads at once, as a framework serving requests uses it:
// programs compiled at the same time, two programs running at the same time, and one program
// called from two threads. Every result must be the one computed alone.
#include <gtest/gtest.h>

#include <functional>
#include <thread>
#include <vector>

#include "api/conflux.h"
#include "api/random_inputs.h"
#include "tests/support/graph_json.h"
#include "tests/support/tensor_maps.h"
#include "tests/targets/fresh_cache.h"

namespace conflux {
namespace {

/// Two dense layers with a constant bias, optimised for the cpu target (tiled contractions with
/// packed weights, parallel loops).
ir::Graph mlp(int width) {
  std::string w = std::to_string(width);
  ir::Graph graph = testing::loadGraphJson(
      R"({"format": "conflux-graph", "version": 1, "name": "mlp",
    "tensors": {"x": {"shape": [64, )" + w + R"(], "dtype": "float32", "kind": "input"},
                "w1": {"shape": [)" + w + ", " + w + R"(], "dtype": "float32", "kind": "input"},
                "w2": {"shape": [)" + w + ", " + w + R"(], "dtype": "float32", "kind": "input"},
                "b": )" + testing::constantTensorJson("[" + w + "]", width) + R"(,
                "y": {"shape": [64, )" + w + R"(], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "mm1", "op": "MatMul", "inputs": ["x", "w1"], "outputs": ["h"]},
              {"name": "bias", "op": "Add", "inputs": ["h", "b"], "outputs": ["t"]},
              {"name": "act", "op": "Relu", "inputs": ["t"], "outputs": ["u"]},
              {"name": "mm2", "op": "MatMul", "inputs": ["u", "w2"], "outputs": ["y"]}]})",
      "mlp" + w);
  api::optimize(graph, {});
  return graph;
}

/// Runs `work(t)` on `threads` threads at once and waits for them.
void onThreads(int threads, const std::function<void(int)>& work) {
  std::vector<std::thread> running;
  for (int t = 0; t < threads; ++t) running.emplace_back(work, t);
  for (std::thread& t : running) t.join();
}

/// Compiles in a fresh compile cache, so that programs are compiled, not loaded.
class CpuConcurrency : public testing::FreshCompileCache {
 protected:
  CpuConcurrency() : FreshCompileCache("concurrency") {}
};

TEST_F(CpuConcurrency, ProgramsCompiledAtOnceComputeWhatTheReferenceDoes) {
  std::vector<ir::Graph> graphs{mlp(96), testing::optimizedConvBlock(), mlp(128), mlp(96)};
  std::vector<std::unique_ptr<api::Executable>> programs(graphs.size());
  onThreads(static_cast<int>(graphs.size()), [&](int t) { programs[t] = api::compile(graphs[t], "cpu"); });
  for (size_t g = 0; g < graphs.size(); ++g) {
    api::TensorMap inputs = api::randomInputs(graphs[g], 3);
    api::TensorMap expected = api::compile(graphs[g], "reference")->run(inputs);
    api::TensorMap actual = programs[g]->run(inputs);
    for (const auto& [name, tensor] : expected)
      for (int64_t i = 0; i < tensor.numElements(); ++i)
        ASSERT_NEAR(tensor.at(i), actual.at(name).at(i), 1e-3 * (1 + std::abs(tensor.at(i)))) << g << " " << name << i;
  }
}

TEST_F(CpuConcurrency, TwoProgramsRunAtOnceAsTheyRunAlone) {
  std::vector<ir::Graph> graphs{mlp(128), testing::optimizedConvBlock()};
  std::vector<std::unique_ptr<api::Executable>> programs;
  std::vector<api::TensorMap> inputs, alone;
  for (const ir::Graph& g : graphs) {
    programs.push_back(api::compile(g, "cpu"));
    inputs.push_back(api::randomInputs(g, 7));
    alone.push_back(programs.back()->run(inputs.back()));
  }
  onThreads(2, [&](int t) {
    for (int run = 0; run < 200; ++run) testing::expectSameTensors(alone[t], programs[t]->run(inputs[t]));
  });
}

TEST_F(CpuConcurrency, OneProgramCalledFromTwoThreadsGivesEachCallItsOwnResult) {
  ir::Graph graph = mlp(128);
  std::vector<api::TensorMap> inputs{api::randomInputs(graph, 1), api::randomInputs(graph, 2)};
  // The reference target's programs too: it is what every other target is checked against.
  for (const auto& [target, runs] : {std::pair<std::string, int>{"cpu", 200}, {"reference", 4}}) {
    std::unique_ptr<api::Executable> program = api::compile(graph, target);
    std::vector<api::TensorMap> alone{program->run(inputs[0]), program->run(inputs[1])};
    onThreads(2, [&](int t) {
      for (int run = 0; run < runs; ++run) testing::expectSameTensors(alone[t], program->run(inputs[t]));
    });
  }
}

}  // namespace
}  // namespace conflux
