// Memory planning: transients whose lives do not overlap share bytes, those alive together never
// do, and run-once border fills keep their arrays for the whole program.
#include <gtest/gtest.h>

#include "passes/kernels.h"
#include "passes/memory_plan.h"
#include "tests/passes/library_graphs.h"

namespace conflux::passes {
namespace {

using testing::expandedGraph;

/// x -> Relu -> a -> Sigmoid -> b -> Tanh -> c -> Relu -> y, each [64, 64] float32 (16 KiB).
const char* kChain = R"({"format": "conflux-graph", "version": 1, "name": "chain",
  "tensors": {"x": {"shape": [64, 64], "dtype": "float32", "kind": "input"},
              "y": {"shape": [64, 64], "dtype": "float32", "kind": "output"}},
  "nodes": [{"name": "r1", "op": "Relu", "inputs": ["x"], "outputs": ["a"]},
            {"name": "s", "op": "Sigmoid", "inputs": ["a"], "outputs": ["b"]},
            {"name": "t", "op": "Tanh", "inputs": ["b"], "outputs": ["c"]},
            {"name": "r2", "op": "Relu", "inputs": ["c"], "outputs": ["y"]}]})";

/// Expects that no two placements live at the same kernel overlap in memory, and that every
/// placement lies inside the planned region.
void expectNoLiveOverlap(const MemoryPlan& plan) {
  for (const auto& [a, p] : plan.placements) {
    EXPECT_LE(p.offset + p.bytes, plan.plannedBytes) << a;
    for (const auto& [b, q] : plan.placements) {
      if (a >= b) continue;
      bool liveTogether = p.firstKernel <= q.lastKernel && q.firstKernel <= p.lastKernel;
      bool overlap = p.offset < q.offset + q.bytes && q.offset < p.offset + p.bytes;
      EXPECT_FALSE(liveTogether && overlap) << a << " and " << b;
    }
  }
}

TEST(MemoryPlan, AChainOfThreeTransientsNeedsTwoBuffers) {
  ir::Graph graph = expandedGraph(kChain);
  std::vector<Kernel> kernels = extractKernels(graph);
  ASSERT_EQ(kernels.size(), 4u);
  MemoryPlan plan = planMemory(graph, kernels, runOnceKernels(graph, kernels));
  const int64_t bytes = 64 * 64 * 4;
  ASSERT_EQ(plan.placements.size(), 3u);
  EXPECT_EQ(plan.unplannedBytes, 3 * bytes);
  EXPECT_EQ(plan.plannedBytes, 2 * bytes);
  // a dies when c is born: they share; b lives beside both.
  EXPECT_EQ(plan.placements.at("a").offset, plan.placements.at("c").offset);
  EXPECT_NE(plan.placements.at("a").offset, plan.placements.at("b").offset);
  EXPECT_EQ(plan.placements.at("b").firstKernel, 1u);
  EXPECT_EQ(plan.placements.at("b").lastKernel, 2u);
  expectNoLiveOverlap(plan);
}

TEST(MemoryPlan, ThePaddedInputOfAConvolutionLivesThroughout) {
  ir::Graph graph = expandedGraph(R"({"format": "conflux-graph", "version": 1, "name": "convs",
    "tensors": {"x": {"shape": [1, 4, 8, 8], "dtype": "float32", "kind": "input"},
                "w": {"shape": [4, 4, 3, 3], "dtype": "float32", "kind": "input"},
                "y": {"shape": [1, 4, 8, 8], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "c1", "op": "Conv", "inputs": ["x", "w"], "outputs": ["h"], "attrs": {"pads": [1, 1, 1, 1]}},
              {"name": "c2", "op": "Conv", "inputs": ["h", "w"], "outputs": ["y"], "attrs": {"pads": [1, 1, 1, 1]}}]})");
  std::vector<Kernel> kernels = extractKernels(graph);
  std::vector<bool> once = runOnceKernels(graph, kernels);
  MemoryPlan plan = planMemory(graph, kernels, once);
  size_t lifelong = 0;
  for (size_t k = 0; k < kernels.size(); ++k) {
    if (!once[k]) continue;
    for (ir::EdgeId e : kernels[k].writes) {
      const Placement& p = plan.placements.at(graph.state(kernels[k].state).edge(e).memlet.data);
      EXPECT_EQ(p.firstKernel, 0u);
      EXPECT_EQ(p.lastKernel, kernels.size() - 1);
      ++lifelong;
    }
  }
  EXPECT_GT(lifelong, 0u);  // both padded inputs have border fills
  EXPECT_LE(plan.plannedBytes, plan.unplannedBytes);
  expectNoLiveOverlap(plan);
}

}  // namespace
}  // namespace conflux::passes
