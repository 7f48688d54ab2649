#include "targets/cpu/row_kernel_lowering.h"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <map>

#include "ir/error.h"
#include "passes/map_patterns.h"
#include "targets/cpu/buffer_views.h"
#include "targets/cpu/dense_write.h"
#include "targets/cpu/halide_expr.h"
#include "targets/cpu/module_key.h"
#include "targets/cpu/schedules.h"
#include "targets/cpu/tasklet_inputs.h"

namespace conflux::targets::cpu {
namespace {

using Halide::Expr;

/// The value `x` leaves unchanged when combined with it by `wcr`.
Expr identity(ir::Wcr wcr, Halide::Type type) {
  constexpr double kInfinity = std::numeric_limits<double>::infinity();
  switch (wcr) {
    case ir::Wcr::Max:
      return type.is_float() ? Halide::cast(type, Expr(-kInfinity)) : type.min();
    case ir::Wcr::Min:
      return type.is_float() ? Halide::cast(type, Expr(kInfinity)) : type.max();
    case ir::Wcr::Product:
      return type.is_uint() ? type.max() : Halide::cast(type, 1);
    case ir::Wcr::Sum:
    case ir::Wcr::None:
      break;
  }
  return Halide::cast(type, 0);
}

/// The Func calls `f(rowIndex)` of every statistic, by array: what a stage's tasklets read.
std::map<std::string, Expr> statisticsAt(const std::map<std::string, Halide::Func>& statistics,
                                         const std::vector<Expr>& rowIndex) {
  std::map<std::string, Expr> values;
  for (const auto& [data, f] : statistics) values[data] = f(rowIndex);
  return values;
}

/// The parameter of `map` that moves the unit-stride dimension of the first array `tasklet`
/// reads, else the map's last: the one whose consecutive values are adjacent in memory.
size_t unitStrideParam(const ir::Graph& graph, const ir::State& state, ir::NodeId tasklet, const ir::Map& map) {
  for (ir::EdgeId e : state.inEdges(tasklet)) {
    const ir::Memlet& read = state.edge(e).memlet;
    if (read.isEmpty() || read.subset.rank() == 0 || graph.array(read.data).storage == ir::Storage::Register)
      continue;
    const ir::Range& unit = read.subset.ranges[static_cast<size_t>(graph.array(read.data).layout.innermost())];
    for (size_t k = 0; k < map.params.size(); ++k)
      if (std::abs(unit.begin.coefficient(map.params[k])) == 1) return k;
  }
  return map.params.size() - 1;
}

/// Builds the Funcs of one row kernel.
class RowLowering {
 public:
  RowLowering(const ir::Graph& graph, const passes::Kernel& kernel, const passes::RowKernel& row,
              const ArrayLookup& arrays, int lanes, const std::string& where)
      : graph_(graph), state_(graph.state(kernel.state)), kernel_(kernel), row_(row), arrays_(arrays),
        lanes_(lanes), where_(where) {
    const ir::Map& rows = std::get<ir::MapEntry>(state_.node(row.rowEntry).payload).map;
    rowParams_ = rows.params;
    for (size_t j = 0; j < rowParams_.size(); ++j) {
      rowVars_.emplace_back("r" + std::to_string(j));
      rowValues_[rowParams_[j]] = rowVars_.back();
    }
  }

  /// Defines one reduction stage: its accumulator over the row and the statistic from it.
  void reduce(const passes::RowStage& stage) {
    const ir::Map& inner = std::get<ir::MapEntry>(state_.node(stage.innerEntry).payload).map;
    Halide::Type accType = storageType(graph_.array(stage.accumulator).dtype);
    std::vector<Expr> at = rowArgs(rowExprs());
    std::map<std::string, Expr> statistics = statisticsAt(statistics_, at);

    Halide::Func acc(uniqueFuncName(kernel_.name + "_" + stage.accumulator));
    ExprScope init = bindInputs(graph_, state_, *stage.initTasklet, rowValues_, arrays_, {}, statistics, where_);
    acc(rowArgVars()) = Halide::cast(accType, toHalide(outputExpr(state_, *stage.initTasklet, ""), init));

    // The reduction's iterations: lanes along the unit-stride parameter when they divide it.
    size_t v = unitStrideParam(graph_, state_, stage.tasklet, inner);
    std::vector<Halide::Range> ranges;
    std::vector<std::pair<int32_t, int32_t>> beginStep;
    int width = 0;  // partial results along the unit-stride parameter, when it is split
    for (size_t k = 0; k < inner.params.size(); ++k) {
      const ir::Range& r = inner.ranges.ranges[k];
      std::optional<int64_t> begin = r.begin.constantValue(), end = r.end.constantValue();
      if (!begin || !end) throw Error(where_ + ": map ranges must be constant");
      int64_t count = (*end - *begin) / r.step + 1;
      // Two vectors of partial results when they divide the row: two independent chains of
      // combines (a NaN-propagating max is a compare and a select deep).
      for (int chains : {2, 1})
        if (k == v && lanes_ > 1 && !width && count % (chains * lanes_) == 0) width = chains * lanes_;
      if (k == v && width) count /= width;
      ranges.emplace_back(0, static_cast<int32_t>(count));
      beginStep.emplace_back(static_cast<int32_t>(*begin), static_cast<int32_t>(r.step));
    }
    Halide::RDom domain(ranges, kernel_.name + "_" + stage.accumulator + "_r");
    Halide::Var lane("u");
    std::map<std::string, Expr> params = rowValues_;
    for (size_t k = 0; k < inner.params.size(); ++k) {
      Expr i = domain[static_cast<int>(k)];
      if (k == v && width) i = i * width + lane;
      params[inner.params[k]] = beginStep[k].first + beginStep[k].second * i;
    }
    std::vector<Expr> index;  // each inner parameter's value in this reduction
    for (const std::string& p : inner.params) index.push_back(params.at(p));
    Expr value = stageValue(stage, inner, v, index, statistics);
    if (width) {
      Halide::Func partial(uniqueFuncName(kernel_.name + "_" + stage.accumulator + "_lanes"));
      std::vector<Halide::Var> args{lane};
      for (const Halide::Var& r : rowArgVars()) args.push_back(r);
      std::vector<Expr> call(args.begin(), args.end());
      partial(args) = identity(stage.wcr, accType);
      partial(call) = combine(stage.wcr, partial(call), value);
      Halide::RDom lanes(0, width, kernel_.name + "_" + stage.accumulator + "_l");
      call.front() = lanes.x;
      acc(at) = combine(stage.wcr, acc(at), partial(call));
      partials_.push_back({partial, domain});
    } else {
      acc(at) = combine(stage.wcr, acc(at), value);
    }
    perRow_.push_back(acc);

    Halide::Func statistic(uniqueFuncName(kernel_.name + "_" + stage.statistic));
    statistics[stage.accumulator] = acc(at);
    ExprScope finish = bindInputs(graph_, state_, *stage.finishTasklet, rowValues_, arrays_, {}, statistics, where_);
    statistic(rowArgVars()) = Halide::cast(storageType(graph_.array(stage.statistic).dtype),
                                           toHalide(outputExpr(state_, *stage.finishTasklet, ""), finish));
    perRow_.push_back(statistic);
    statistics_[stage.statistic] = statistic;
  }

  /// The output stage's value where the output index is `pure` (each parameter's expression):
  /// values a reduction stage computed for the row are read, not computed again.
  Expr output(const std::map<std::string, Expr>& pure, const std::string& conn) const {
    std::vector<Expr> rowIndex;
    for (const std::string& p : rowParams_) rowIndex.push_back(pure.at(p));
    ExprScope scope = bindInputs(graph_, state_, row_.output.tasklet, pure, arrays_, {},
                                 statisticsAt(statistics_, rowArgs(rowIndex)), where_);
    ir::Expr expr = outputExpr(state_, row_.output.tasklet, conn);
    const ir::Map& inner = std::get<ir::MapEntry>(state_.node(row_.output.innerEntry).payload).map;
    for (size_t k = 0; k < shared_.size(); ++k) {
      std::string name = "__row_value" + std::to_string(k);
      expr = ir::replaceEqual(expr, shared_[k].value, ir::ref(name, shared_[k].value->dtype));
      std::vector<Expr> args;
      for (const std::string& p : inner.params) args.push_back(pure.at(p));
      for (const Expr& r : rowArgs(rowIndex)) args.push_back(r);
      scope.values[name] = shared_[k].func(args);
    }
    return toHalide(expr, scope);
  }

  /// Computes every stage per row of `f`, at its loop `rows`, or once for all rows when there
  /// is no such loop.
  void schedule(Halide::Func f, const std::optional<Halide::Var>& rows) {
    for (Halide::Func& g : perRow_) rows ? g.compute_at(f, *rows) : g.compute_root();
    for (SharedValue& s : shared_) {
      rows ? s.func.compute_at(f, *rows) : s.func.compute_root();
      s.func.vectorize(s.func.args()[s.vector], lanes_, Halide::TailStrategy::GuardWithIf);
    }
    for (auto& [g, domain] : partials_) {
      rows ? g.compute_at(f, *rows) : g.compute_root();
      Halide::Var lane = g.args().front();
      g.vectorize(lane, lanes_);
      // Each step of the reduction combines the vectors of partial results side by side.
      std::vector<Halide::VarOrRVar> order{lane};
      for (int k = 0; k < domain.dimensions(); ++k) order.emplace_back(domain[k]);
      g.update(0).reorder(order).vectorize(lane, lanes_).unroll(lane);
    }
  }

 private:
  /// The value the tasklet of `stage` contributes at the inner parameters' values `index`. When
  /// the output stage computes it too (valueSharedWithOutput), it is a Func over the row computed
  /// once per row, vectorised along the inner parameter `vector`, that both stages read.
  Expr stageValue(const passes::RowStage& stage, const ir::Map& inner, size_t vector, const std::vector<Expr>& index,
                  const std::map<std::string, Expr>& statistics) {
    Halide::Type type = storageType(graph_.array(stage.accumulator).dtype);
    std::optional<ir::Expr> shared = passes::valueSharedWithOutput(state_, row_, stage);
    std::map<std::string, Expr> params = rowValues_;
    std::vector<Halide::Var> vars;
    if (shared) {
      for (size_t k = 0; k < inner.params.size(); ++k) {
        vars.emplace_back("e" + std::to_string(k));
        params[inner.params[k]] = vars.back();
      }
    } else {
      for (size_t k = 0; k < inner.params.size(); ++k) params[inner.params[k]] = index[k];
    }
    ExprScope scope = bindInputs(graph_, state_, stage.tasklet, params, arrays_, {}, statistics, where_);
    Expr value = Halide::cast(type, toHalide(outputExpr(state_, stage.tasklet, ""), scope));
    if (!shared) return value;
    Halide::Func f(uniqueFuncName(kernel_.name + "_" + stage.accumulator + "_values"));
    std::vector<Halide::Var> args = vars;
    for (const Halide::Var& r : rowArgVars()) args.push_back(r);
    f(args) = value;
    shared_.push_back({*shared, f, vector});
    std::vector<Expr> call = index;
    for (const Expr& r : rowArgs(rowExprs())) call.push_back(r);
    return f(call);
  }

  /// Row-parameter values in Func argument order (the last row parameter first, innermost).
  std::vector<Expr> rowArgs(std::vector<Expr> rowIndex) const {
    std::reverse(rowIndex.begin(), rowIndex.end());
    return rowIndex;
  }
  std::vector<Halide::Var> rowArgVars() const { return {rowVars_.rbegin(), rowVars_.rend()}; }
  std::vector<Expr> rowExprs() const { return {rowVars_.begin(), rowVars_.end()}; }

  const ir::Graph& graph_;
  const ir::State& state_;
  const passes::Kernel& kernel_;
  const passes::RowKernel& row_;
  const ArrayLookup& arrays_;
  int lanes_;
  std::string where_;
  std::vector<std::string> rowParams_;
  std::vector<Halide::Var> rowVars_;
  std::map<std::string, Expr> rowValues_;
  std::map<std::string, Halide::Func> statistics_;
  std::vector<Halide::Func> perRow_;
  /// A reduction stage's per-element values that the output stage reads too.
  struct SharedValue {
    ir::Expr value;  // in the output stage's connectors
    Halide::Func func;
    size_t vector;  // the argument to vectorise
  };
  std::vector<SharedValue> shared_;
  /// Partial results of a reduction in vector lanes, with the reduction's domain.
  std::vector<std::pair<Halide::Func, Halide::RDom>> partials_;
};

}  // namespace

LoweredKernel lowerRowKernel(const ir::Graph& graph, const passes::Kernel& kernel, const passes::RowKernel& row,
                             const ArrayLookup& arrays, PipelineLibrary& library, const ir::TargetDesc& target,
                             const std::string& where) {
  const ir::State& state = graph.state(kernel.state);
  const ir::Map& rows = std::get<ir::MapEntry>(state.node(row.rowEntry).payload).map;
  const ir::Map& inner = std::get<ir::MapEntry>(state.node(row.output.innerEntry).payload).map;
  const ir::Edge& writeEdge = state.edge(state.outEdges(row.output.tasklet).front());
  const ir::DataDesc& out = graph.array(writeEdge.memlet.data);
  ir::Map space = rows;
  space.params.insert(space.params.end(), inner.params.begin(), inner.params.end());
  space.ranges.ranges.insert(space.ranges.ranges.end(), inner.ranges.ranges.begin(), inner.ranges.ranges.end());
  std::optional<DenseWrite> box = denseWrite(writeEdge.memlet.subset, space, out.shape);
  if (!box) throw Error(where + ": the row kernel does not write one element per iteration");
  const std::vector<int>& order = out.layout.order;
  Halide::Buffer<> outBuffer =
      memoryOrderView(boxView(arrays(writeEdge.memlet.data).buffer(where), box->offsets, box->extents), order);
  size_t rank = order.size();
  std::vector<Halide::Var> vars;  // vars[k] indexes row-major dimension k
  for (size_t k = 0; k < rank; ++k) vars.emplace_back("d" + std::to_string(rank - 1 - k));
  std::vector<Halide::Var> halideVars;  // memory order, innermost first
  for (size_t j = 0; j < rank; ++j) halideVars.push_back(vars[static_cast<size_t>(order[rank - 1 - j])]);

  int lanes = vectorLanes(target, storageType(out.dtype));
  RowLowering lowering(graph, kernel, row, arrays, lanes, where);
  for (const passes::RowStage& stage : row.reductions) lowering.reduce(stage);
  Halide::Func f(uniqueFuncName(kernel.name + "_" + writeEdge.srcConn));
  f(halideVars) = Halide::cast(storageType(out.dtype), lowering.output(paramsAt(*box, vars), writeEdge.srcConn));

  // Rows outside the reduced dimensions in memory (a softmax or layer norm over the last axes):
  // the output's row dimensions (and those of one element) fuse into one parallel loop, each
  // row's statistics computed in it. Otherwise the statistics are computed for all rows first.
  std::vector<bool> isRow(rank, false);
  bool nested = box->unmerged();
  for (size_t j = 0; j < rank; ++j) {
    std::string p = box->soleParam(static_cast<size_t>(order[rank - 1 - j]));
    isRow[j] = std::count(rows.params.begin(), rows.params.end(), p) > 0 || outBuffer.dim(static_cast<int>(j)).extent() == 1;
  }
  size_t firstRow = static_cast<size_t>(std::find(isRow.begin(), isRow.end(), true) - isRow.begin());
  nested = nested && firstRow > 0 && firstRow < rank &&
           std::all_of(isRow.begin() + static_cast<long>(firstRow), isRow.end(), [](bool b) { return b; });
  if (nested) {
    if (outBuffer.dim(0).extent() >= lanes) f.vectorize(halideVars[0], lanes);
    Halide::Var rowLoop = halideVars[firstRow];
    for (size_t j = firstRow + 1; j < rank; ++j) {
      Halide::Var fused(rowLoop.name() + "_" + halideVars[j].name());
      f.fuse(rowLoop, halideVars[j], fused);
      rowLoop = fused;
    }
    // A few tasks per thread: claiming each of thousands of short rows would cost more than it runs.
    int64_t rowCount = 1;
    for (size_t j = firstRow; j < rank; ++j) rowCount *= outBuffer.dim(static_cast<int>(j)).extent();
    int64_t tasks = std::min<int64_t>(rowCount, 8 * std::max(1, target.threads));
    if (target.threads > 1 && tasks > 1) {
      Halide::Var task(rowLoop.name() + "_task"), rowInTask(rowLoop.name() + "_row");
      f.split(rowLoop, task, rowInTask, static_cast<int>((rowCount + tasks - 1) / tasks), Halide::TailStrategy::GuardWithIf);
      f.parallel(task);
      rowLoop = rowInTask;
    }
    lowering.schedule(f, rowLoop);
  } else {
    std::vector<int64_t> shape;
    for (int d : order) shape.push_back(box->extents[static_cast<size_t>(d)]);
    scheduleDense(f, halideVars, shape, lanes);
    lowering.schedule(f, std::nullopt);
  }
  placeOutput(f, outBuffer);
  if (std::getenv("CONFLUX_DEBUG_HALIDE")) f.print_loop_nest();
  const std::string name = kernel.name + "_" + writeEdge.srcConn;
  return {kernel.name, {}, library.add(Halide::Pipeline(f), outBuffer, name)};
}

}  // namespace conflux::targets::cpu
