#include "passes/analysis_manager.h"

namespace conflux::passes {

void AnalysisManager::bind(const ir::Graph& graph) {
  if (graph_ == &graph) return;
  invalidate(Modified::All);
  graph_ = &graph;
}

const std::vector<Kernel>& AnalysisManager::kernels(const ir::Graph& graph) {
  bind(graph);
  if (!kernels_) {
    kernels_ = extractKernels(graph);
    ++computations_;
  }
  return *kernels_;
}

const std::vector<KernelTraffic>& AnalysisManager::dataMovement(const ir::Graph& graph) {
  bind(graph);
  if (!dataMovement_) {
    std::vector<KernelTraffic> traffic;
    for (const Kernel& k : kernels(graph)) traffic.push_back(analyzeKernel(graph, k));
    dataMovement_ = std::move(traffic);
    ++computations_;
  }
  return *dataMovement_;
}

const std::vector<KernelAccesses>& AnalysisManager::pricedKernels(const ir::Graph& graph) {
  bind(graph);
  if (!pricedKernels_) {
    pricedKernels_ = passes::pricedKernels(graph, kernels(graph));
    ++computations_;
  }
  return *pricedKernels_;
}

void AnalysisManager::invalidate(Modified modified) {
  if (overlaps(modified, Modified::Structure)) kernels_.reset();
  if (overlaps(modified, Modified::Structure | Modified::Memlets)) {
    dataMovement_.reset();
    pricedKernels_.reset();
  }
}

}  // namespace conflux::passes
