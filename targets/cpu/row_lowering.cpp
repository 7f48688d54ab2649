#include "targets/cpu/row_lowering.h"

#include <algorithm>
#include <cstdlib>

#include "ir/error.h"
#include "targets/cpu/halide_expr.h"
#include "targets/cpu/module_key.h"
#include "targets/cpu/tasklet_inputs.h"

namespace conflux::targets::cpu {
namespace {

using Halide::Expr;

/// The parameter of `map` that moves the unit-stride dimension of the first array `tasklet`
/// reads, else the map's last: the one whose consecutive values are adjacent in memory.
size_t unitStrideParam(const ir::Graph& graph, const ir::State& state, ir::NodeId tasklet, const ir::Map& map) {
  for (ir::EdgeId e : state.inEdges(tasklet)) {
    const ir::Memlet& read = state.edge(e).memlet;
    if (read.isEmpty() || read.subset.rank() == 0) continue;
    const ir::DataDesc& desc = graph.array(read.data);
    const ir::Range& unit = read.subset.ranges[static_cast<size_t>(desc.layout.innermost())];
    for (size_t k = 0; k < map.params.size(); ++k)
      if (std::abs(unit.begin.coefficient(map.params[k])) == 1) return k;
  }
  return map.params.size() - 1;
}

}  // namespace

RowLowering::RowLowering(const ir::Graph& graph, const passes::Kernel& kernel, const passes::RowKernel& row,
                         const ArrayLookup& arrays, int lanes, const std::string& where)
    : graph_(graph), state_(graph.state(kernel.state)), kernel_(kernel), row_(row), arrays_(arrays), lanes_(lanes),
      where_(where) {
  const ir::Map& rows = state_.mapOf(row.rowEntry);
  rowParams_ = rows.params;
  for (size_t j = 0; j < rowParams_.size(); ++j) {
    rowVars_.emplace_back("r" + std::to_string(j));
    rowValues_[rowParams_[j]] = rowVars_.back();
  }
}

std::vector<Expr> RowLowering::rowArgs(std::vector<Expr> rowIndex) const {
  std::reverse(rowIndex.begin(), rowIndex.end());
  return rowIndex;
}

std::map<std::string, Expr> RowLowering::registersOf(ir::NodeId tasklet, const std::map<std::string, Expr>& params,
                                                     std::map<std::string, Expr> extra) const {
  std::vector<Expr> rowIndex;
  for (const std::string& p : rowParams_) rowIndex.push_back(params.at(p));
  std::vector<Expr> at = rowArgs(rowIndex);
  for (const auto& [data, f] : statistics_) extra.emplace(data, f(at));
  for (ir::EdgeId e : state_.inEdges(tasklet)) {
    const ir::Memlet& read = state_.edge(e).memlet;
    auto buffer = buffers_.find(read.data);
    if (buffer == buffers_.end()) continue;
    std::vector<Expr> args;
    for (auto r = read.subset.ranges.rbegin(); r != read.subset.ranges.rend(); ++r)
      args.push_back(toHalide(r->begin, params));
    args.insert(args.end(), at.begin(), at.end());
    extra[read.data] = buffer->second(args);
  }
  return extra;
}

void RowLowering::reduce(const passes::RowStage& stage) {
  const ir::Map& inner = state_.mapOf(stage.innerEntry);
  Halide::Type accType = storageType(graph_.array(stage.accumulator).dtype);
  std::vector<Expr> at = rowArgs(rowExprs());

  Halide::Func acc(uniqueFuncName(kernel_.name + "_" + stage.accumulator));
  ExprScope init = bindInputs(graph_, state_, *stage.initTasklet, rowValues_, arrays_, {},
                              registersOf(*stage.initTasklet, rowValues_), where_);
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
  if (elementEnd_) {
    if (inner.params.size() != 1) throw Error(where_ + ": a bounded reduction runs over more than one parameter");
    Expr first = domain.x * std::max(width, 1);  // the first element of a step
    domain.where(beginStep[0].first + beginStep[0].second * first < *elementEnd_);
  }
  Halide::Var lane("u");
  std::map<std::string, Expr> params = rowValues_;
  for (size_t k = 0; k < inner.params.size(); ++k) {
    Expr i = domain[static_cast<int>(k)];
    if (k == v && width) i = i * width + lane;
    params[inner.params[k]] = beginStep[k].first + beginStep[k].second * i;
  }
  std::vector<Expr> index;  // each inner parameter's value in this reduction
  for (const std::string& p : inner.params) index.push_back(params.at(p));
  Expr value = stageValue(stage, inner, v, index, params);
  if (width) {
    Halide::Func partial(uniqueFuncName(kernel_.name + "_" + stage.accumulator + "_lanes"));
    std::vector<Halide::Var> args{lane};
    for (const Halide::Var& r : rowArgVars()) args.push_back(r);
    std::vector<Expr> call(args.begin(), args.end());
    partial(args) = identityOf(stage.wcr, accType);
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
  ExprScope finish = bindInputs(graph_, state_, *stage.finishTasklet, rowValues_, arrays_, {},
                                registersOf(*stage.finishTasklet, rowValues_, {{stage.accumulator, acc(at)}}), where_);
  statistic(rowArgVars()) = Halide::cast(storageType(graph_.array(stage.statistic).dtype),
                                         toHalide(outputExpr(state_, *stage.finishTasklet, ""), finish));
  perRow_.push_back(statistic);
  statistics_[stage.statistic] = statistic;
}

Expr RowLowering::output(const std::map<std::string, Expr>& pure, const std::string& conn) const {
  std::vector<Expr> rowIndex;
  for (const std::string& p : rowParams_) rowIndex.push_back(pure.at(p));
  ExprScope scope =
      bindInputs(graph_, state_, row_.output.tasklet, pure, arrays_, {}, registersOf(row_.output.tasklet, pure), where_);
  ir::Expr expr = outputExpr(state_, row_.output.tasklet, conn);
  const ir::Map& inner = state_.mapOf(row_.output.innerEntry);
  // Later stages' values first: one may contain an earlier one (a softmax's exp(x - max) holds
  // the max stage's x), which replaced first would hide the later value from the output.
  for (size_t k = shared_.size(); k-- > 0;) {
    std::string name = "__row_value" + std::to_string(k);
    expr = ir::replaceEqual(expr, shared_[k].value, ir::ref(name, shared_[k].value->dtype));
    std::vector<Expr> args;
    for (const std::string& p : inner.params) args.push_back(pure.at(p));
    for (const Expr& r : rowArgs(rowIndex)) args.push_back(r);
    scope.values[name] = shared_[k].func(args);
  }
  return toHalide(expr, scope);
}

void RowLowering::schedule(Halide::Func f, const std::optional<Halide::Var>& rows) {
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

/// The value the tasklet of `stage` contributes where the parameters are `params` (`index`: the
/// inner parameters' values). When the output stage computes it too (valueSharedWithOutput), it
/// is a Func over the row computed once per row, vectorised along the inner parameter `vector`,
/// that both stages read.
Expr RowLowering::stageValue(const passes::RowStage& stage, const ir::Map& inner, size_t vector,
                             const std::vector<Expr>& index, const std::map<std::string, Expr>& params) {
  Halide::Type type = storageType(graph_.array(stage.accumulator).dtype);
  std::optional<ir::Expr> shared = passes::valueSharedWithOutput(state_, row_, stage);
  if (!shared) {
    ExprScope scope =
        bindInputs(graph_, state_, stage.tasklet, params, arrays_, {}, registersOf(stage.tasklet, params), where_);
    return Halide::cast(type, toHalide(outputExpr(state_, stage.tasklet, ""), scope));
  }
  std::map<std::string, Expr> pure = rowValues_;
  std::vector<Halide::Var> vars;
  for (size_t k = 0; k < inner.params.size(); ++k) {
    vars.emplace_back("e" + std::to_string(k));
    pure[inner.params[k]] = vars.back();
  }
  ExprScope scope = bindInputs(graph_, state_, stage.tasklet, pure, arrays_, {}, registersOf(stage.tasklet, pure), where_);
  Expr value = Halide::cast(type, toHalide(outputExpr(state_, stage.tasklet, ""), scope));
  Halide::Func f(uniqueFuncName(kernel_.name + "_" + stage.accumulator + "_values"));
  std::vector<Halide::Var> args = vars;
  for (const Halide::Var& r : rowArgVars()) args.push_back(r);
  f(args) = value;
  shared_.push_back({*shared, f, vector});
  std::vector<Expr> call = index;
  for (const Expr& r : rowArgs(rowExprs())) call.push_back(r);
  return f(call);
}

}  // namespace conflux::targets::cpu
