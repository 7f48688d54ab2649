#include "passes/layout_selection.h"

#include <algorithm>

namespace conflux::passes {
namespace {

/// Sweeps over the arrays before the search gives up improving (each sweep flips any array
/// whose flip lowers the total).
constexpr int kMaxSweeps = 4;

/// True for an array whose layout the pass may choose: a 4-d transient with no fixed value.
bool isFree(const ir::Graph& graph, const std::string& name, const ir::DataDesc& desc) {
  return desc.transient && desc.shape.size() == 4 && desc.storage == ir::Storage::Global &&
         graph.constantValue(name) == nullptr;
}

/// The kernels and, per free array, the kernels that touch it.
struct CostTable {
  std::vector<KernelAccesses> kernels;
  std::map<std::string, std::vector<size_t>> users;

  double total(const ir::Graph& graph, const LayoutOf& layouts, int lanes) const {
    double sum = 0;
    for (const KernelAccesses& k : kernels) sum += layoutCost(graph, k, layouts, lanes);
    return sum;
  }

  double ofUsers(const ir::Graph& graph, const std::string& array, const LayoutOf& layouts, int lanes) const {
    double sum = 0;
    for (size_t k : users.at(array)) sum += layoutCost(graph, kernels[k], layouts, lanes);
    return sum;
  }
};

class SelectLayoutsPass final : public Pass {
 public:
  std::string_view name() const override { return "select-layouts"; }
  void run(ir::Graph& graph, PassContext& context) override {
    int changed = applyLayouts(graph, selectLayouts(graph, std::max(1, context.target.vectorLanes)));
    if (context.log) *context.log << "select-layouts: " << changed << " arrays channels-last\n";
  }
};

}  // namespace

ir::Layout channelsLast() {
  ir::Layout layout;
  layout.order = {0, 2, 3, 1};
  return layout;
}

LayoutOf selectLayouts(const ir::Graph& graph, int lanes) {
  CostTable table;
  std::vector<Kernel> kernels = extractKernels(graph);
  LayoutOf rowMajor, last;
  for (const auto& [name, desc] : graph.arrays())
    if (isFree(graph, name, desc)) {
      rowMajor[name] = ir::Layout::rowMajor(4);
      last[name] = channelsLast();
      table.users[name];
    }
  for (size_t k = 0; k < kernels.size(); ++k) {
    table.kernels.push_back(kernelAccesses(graph, kernels[k]));
    for (const auto* list : {&table.kernels.back().reads, &table.kernels.back().writes})
      for (const ir::Memlet& m : *list)
        if (auto it = table.users.find(m.data); it != table.users.end() && (it->second.empty() || it->second.back() != k))
          it->second.push_back(k);
  }
  LayoutOf layouts = table.total(graph, last, lanes) < table.total(graph, rowMajor, lanes) ? last : rowMajor;
  for (int sweep = 0; sweep < kMaxSweeps; ++sweep) {
    bool improved = false;
    for (auto& [name, layout] : layouts) {
      double before = table.ofUsers(graph, name, layouts, lanes);
      ir::Layout kept = layout;
      layout = kept.isRowMajor() ? channelsLast() : ir::Layout::rowMajor(4);
      if (table.ofUsers(graph, name, layouts, lanes) < before) {
        improved = true;
      } else {
        layout = kept;
      }
    }
    if (!improved) break;
  }
  return layouts;
}

int applyLayouts(ir::Graph& graph, const LayoutOf& layouts) {
  int changed = 0;
  for (const auto& [name, layout] : layouts) {
    graph.array(name).layout = layout;
    changed += layout.isRowMajor() ? 0 : 1;
  }
  return changed;
}

std::unique_ptr<Pass> makeSelectLayoutsPass() { return std::make_unique<SelectLayoutsPass>(); }

}  // namespace conflux::passes
