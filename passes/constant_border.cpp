#include "passes/constant_border.h"

#include <algorithm>
#include <optional>

namespace conflux::passes {
namespace {

/// The one constant every tasklet of `kernel` writes, if they all write the same constant.
std::optional<double> filledConstant(const ir::Graph& graph, const Kernel& kernel) {
  const ir::State& state = graph.state(kernel.state);
  std::optional<double> value;
  for (ir::NodeId id : kernel.nodes) {
    const auto* tasklet = std::get_if<ir::Tasklet>(&state.node(id).payload);
    if (!tasklet) continue;
    for (const ir::TaskletOutput& out : tasklet->outputs) {
      if (out.expr->kind != ir::ExprKind::Constant || (value && *value != out.expr->value)) return std::nullopt;
      value = out.expr->value;
    }
  }
  return value;
}

/// What kernels write into one array: the subsets run-once fills write, their constant, and the
/// bounding box of the other kernels' writes.
struct Writes {
  std::vector<ir::Subset> fills;
  std::optional<double> value;
  std::optional<std::vector<std::pair<int64_t, int64_t>>> computed;
  bool usable = true;
};

/// Widens `box` (none yet: starts it) to hold `subset`; false when a bound is not constant.
bool widen(std::optional<std::vector<std::pair<int64_t, int64_t>>>& box, const ir::Subset& subset) {
  std::vector<std::pair<int64_t, int64_t>> bounds;
  for (const ir::Range& r : subset.ranges) {
    std::optional<int64_t> first = r.begin.constantValue(), last = r.end.constantValue();
    if (!first || !last) return false;
    bounds.emplace_back(std::min(*first, *last), std::max(*first, *last));
  }
  if (!box) {
    box = std::move(bounds);
    return true;
  }
  for (size_t d = 0; d < bounds.size() && d < box->size(); ++d) {
    (*box)[d].first = std::min((*box)[d].first, bounds[d].first);
    (*box)[d].second = std::max((*box)[d].second, bounds[d].second);
  }
  return true;
}

}  // namespace

std::map<std::string, ConstantBorder> constantBorders(const ir::Graph& graph, const std::vector<Kernel>& kernels,
                                                      const std::vector<bool>& runOnce) {
  std::map<std::string, Writes> writes;
  for (size_t i = 0; i < kernels.size(); ++i) {
    const Kernel& kernel = kernels[i];
    std::optional<double> constant = runOnce[i] ? filledConstant(graph, kernel) : std::nullopt;
    for (ir::EdgeId e : kernel.writes) {
      const ir::Memlet& write = graph.state(kernel.state).edge(e).memlet;
      Writes& w = writes[write.data];
      if (runOnce[i] && !constant) w.usable = false;  // a run-once kernel writing no constant
      if (constant) {
        w.usable = w.usable && (!w.value || *w.value == *constant);
        w.value = constant;
        w.fills.push_back(write.subset);
      } else if (!widen(w.computed, write.subset)) {
        w.usable = false;
      }
    }
  }
  std::map<std::string, ConstantBorder> borders;
  for (const auto& [name, w] : writes) {
    const ir::DataDesc& desc = graph.array(name);
    if (!w.usable || !w.value || !w.computed || !desc.transient || desc.storage != ir::Storage::Global) continue;
    ir::Subset box;
    int64_t elements = 1;
    for (const auto& [first, last] : *w.computed) {
      box.ranges.push_back({ir::AffineExpr(first), ir::AffineExpr(last), 1});
      elements *= last - first + 1;
    }
    // Run-once fills overlap no other write, nor (being run once) each other: outside the box,
    // and as many elements as the array has beyond it, they are its whole border.
    int64_t filled = 0;
    bool outside = true;
    for (const ir::Subset& fill : w.fills) {
      std::optional<int64_t> n = fill.numElements();
      outside = outside && n && !fill.mayOverlap(box);
      filled += n.value_or(0);
    }
    if (outside && elements + filled == desc.numElements()) borders.emplace(name, ConstantBorder{*w.computed, *w.value});
  }
  return borders;
}

}  // namespace conflux::passes
