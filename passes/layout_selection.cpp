#include "passes/layout_selection.h"

#include <algorithm>
#include <set>

#include "passes/layout_dp.h"

namespace conflux::passes {
namespace {

/// Sweeps over the arrays before the search stops (each sweep makes every move, per array, that
/// lowers the total).
constexpr int kMaxSweeps = 4;

/// True for an array whose layout the pass may choose: a 4-d transient with no fixed value.
bool isFree(const ir::Graph& graph, const std::string& name, const ir::DataDesc& desc) {
  return desc.transient && desc.shape.size() == 4 && desc.storage == ir::Storage::Global &&
         graph.constantValue(name) == nullptr;
}

/// The kernels, per free array the kernels that touch it, and the free arrays computed from it.
struct CostTable {
  std::vector<KernelAccesses> kernels;
  std::map<std::string, std::vector<size_t>> users;
  std::map<std::string, std::set<std::string>> successors;

  double total(const ir::Graph& graph, const LayoutOf& layouts, int lanes) const {
    double sum = 0;
    for (const KernelAccesses& k : kernels) sum += layoutCost(graph, k, layouts, lanes);
    return sum;
  }

  /// The cost of the kernels touching any of `arrays`.
  double ofUsers(const ir::Graph& graph, const std::set<std::string>& arrays, const LayoutOf& layouts,
                 int lanes) const {
    std::set<size_t> touched;
    for (const std::string& a : arrays) touched.insert(users.at(a).begin(), users.at(a).end());
    double sum = 0;
    for (size_t k : touched) sum += layoutCost(graph, kernels[k], layouts, lanes);
    return sum;
  }

  /// `array` and every free array computed from it, directly or not.
  std::set<std::string> downstream(const std::string& array) const {
    std::set<std::string> reached{array};
    std::vector<std::string> work{array};
    while (!work.empty()) {
      std::string a = work.back();
      work.pop_back();
      for (const std::string& b : successors.at(a))
        if (reached.insert(b).second) work.push_back(b);
    }
    return reached;
  }
};

/// The layout that is not `layout` of the two the pass chooses between.
ir::Layout flipped(const ir::Layout& layout) { return layout.isRowMajor() ? channelsLast() : ir::Layout::rowMajor(4); }

/// Sets every array of `group` to `layout` in `layouts` when that lowers the cost of the kernels
/// touching them; returns whether it did.
bool improveBy(const ir::Graph& graph, const CostTable& table, const std::set<std::string>& group,
               const ir::Layout& layout, LayoutOf& layouts, int lanes) {
  LayoutOf kept;
  for (const std::string& a : group) kept[a] = layouts.at(a);
  double before = table.ofUsers(graph, group, layouts, lanes);
  for (const std::string& a : group) layouts[a] = layout;
  if (table.ofUsers(graph, group, layouts, lanes) < before) return true;
  for (const auto& [a, l] : kept) layouts[a] = l;
  return false;
}

class SelectLayoutsPass final : public Pass {
 public:
  std::string_view name() const override { return "select-layouts"; }
  Modified run(ir::Graph& graph, PassContext& context) override {
    LayoutOf layouts =
        selectLayouts(graph, context.analyses.pricedKernels(graph), std::max(1, context.target.vectorLanes));
    bool modified = false;
    for (const auto& [name, layout] : layouts) modified = modified || !(graph.array(name).layout == layout);
    int channelsLast = applyLayouts(graph, layouts);
    if (context.log) *context.log << "select-layouts: " << channelsLast << " arrays channels-last\n";
    return modified ? Modified::Layouts : Modified::None;
  }
};

}  // namespace

ir::Layout channelsLast() {
  ir::Layout layout;
  layout.order = {0, 2, 3, 1};
  return layout;
}

std::vector<std::string> layoutFreeArrays(const ir::Graph& graph) {
  std::vector<std::string> arrays;
  for (const auto& [name, desc] : graph.arrays())
    if (isFree(graph, name, desc)) arrays.push_back(name);
  return arrays;
}

LayoutOf selectLayouts(const ir::Graph& graph, int lanes) {
  return selectLayouts(graph, pricedKernels(graph, extractKernels(graph)), lanes);
}

LayoutOf selectLayouts(const ir::Graph& graph, const std::vector<KernelAccesses>& kernels, int lanes) {
  CostTable table;
  LayoutOf rowMajor, last;
  std::vector<std::string> arrays = layoutFreeArrays(graph);
  for (const std::string& name : arrays) {
    rowMajor[name] = ir::Layout::rowMajor(4);
    last[name] = channelsLast();
    table.users[name];
  }
  table.kernels = kernels;
  for (size_t index = 0; index < table.kernels.size(); ++index) {
    const KernelAccesses& accesses = table.kernels[index];
    for (const auto* list : {&accesses.reads, &accesses.writes})
      for (const ir::Memlet& m : *list)
        if (auto it = table.users.find(m.data); it != table.users.end() && (it->second.empty() || it->second.back() != index))
          it->second.push_back(index);
    for (const ir::Memlet& read : accesses.reads)
      for (const ir::Memlet& write : accesses.writes)
        if (table.users.count(read.data) && table.users.count(write.data) && read.data != write.data)
          table.successors[read.data].insert(write.data);
  }
  for (const auto& [name, kernelsOf] : table.users) table.successors[name];
  if (std::optional<LayoutOf> exact =
          exactLayouts(graph, table.kernels, arrays, {ir::Layout::rowMajor(4), channelsLast()}, lanes))
    return *exact;
  LayoutOf layouts = table.total(graph, last, lanes) < table.total(graph, rowMajor, lanes) ? last : rowMajor;
  // Moves: one array flipped; an array and all computed from it set to one layout (a layout
  // change placed at one point of a chain, which single flips reach only through worse states).
  for (int sweep = 0; sweep < kMaxSweeps; ++sweep) {
    bool improved = false;
    for (const auto& [name, unused] : table.users) {
      improved |= improveBy(graph, table, {name}, flipped(layouts.at(name)), layouts, lanes);
      std::set<std::string> chain = table.downstream(name);
      for (const ir::Layout& layout : {ir::Layout::rowMajor(4), channelsLast()})
        improved |= improveBy(graph, table, chain, layout, layouts, lanes);
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
