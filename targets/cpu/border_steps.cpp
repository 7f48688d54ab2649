#include "targets/cpu/border_steps.h"

#include <algorithm>

#include "passes/map_patterns.h"
#include "targets/cpu/halide_expr.h"
#include "targets/cpu/tasklet_inputs.h"

namespace conflux::targets::cpu {
namespace {

/// True when some parameter of `names` moves `index`.
bool movesWith(const ir::AffineExpr& index, const std::vector<std::string>& names) {
  return std::any_of(names.begin(), names.end(), [&](const std::string& p) { return index.coefficient(p) != 0; });
}

}  // namespace

std::optional<Halide::Expr> stepsInsideBorders(const ir::Graph& graph, const ir::State& state, ir::NodeId tasklet,
                                               const std::string& conn, ir::Wcr wcr, Halide::Type type,
                                               const std::map<std::string, Halide::Expr>& params,
                                               const std::vector<std::string>& reductionParams,
                                               const std::vector<std::string>& innerParams,
                                               const ArrayLookup& arrays, const std::string& where) {
  if (wcr == ir::Wcr::None) return std::nullopt;
  std::vector<ir::EdgeId> reads = state.inEdges(tasklet);
  std::optional<Halide::Expr> inside;
  for (ir::EdgeId e : reads) {
    const ir::Memlet& read = state.edge(e).memlet;
    if (read.isEmpty() || !passes::isPoint(read.subset)) continue;
    const ArraySource source = arrays(read.data);
    if (!source.border() || std::count_if(reads.begin(), reads.end(), [&](ir::EdgeId other) {
                              return state.edge(other).memlet.data == read.data;
                            }) != 1)
      continue;
    const passes::ConstantBorder& border = *source.border();
    // The step's value when this read gives the border's value.
    Halide::Type element = storageType(graph.array(read.data).dtype);
    ExprScope atBorder = bindInputs(graph, state, tasklet, params, arrays, {},
                                    {{read.data, Halide::cast(element, Halide::Expr(border.value))}}, where);
    Halide::Expr value = Halide::cast(type, toHalide(outputExpr(state, tasklet, conn), atBorder));
    if (!Halide::Internal::can_prove(Halide::Internal::simplify(value == identityOf(wcr, type)))) continue;
    for (size_t d = 0; d < read.subset.rank(); ++d) {
      const ir::AffineExpr& index = read.subset.ranges[d].begin;
      if (!movesWith(index, reductionParams) || movesWith(index, innerParams)) continue;
      Halide::Expr at = toHalide(index, params);
      const auto& [first, last] = border.box[d];
      Halide::Expr within = at >= static_cast<int32_t>(first) && at <= static_cast<int32_t>(last);
      inside = inside ? *inside && within : within;
    }
  }
  return inside;
}

}  // namespace conflux::targets::cpu
