#include "passes/softmax_form.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "ir/footprint.h"

namespace conflux::passes {
namespace {

/// True when the finishing tasklet of `stage` writes its accumulator unchanged.
bool finishesUnchanged(const ir::State& state, const RowStage& stage) {
  const auto& tasklet = std::get<ir::Tasklet>(state.node(*stage.finishTasklet).payload);
  return tasklet.outputs.size() == 1 && tasklet.outputs.front().expr->kind == ir::ExprKind::Ref;
}

/// The connector of `tasklet` that reads the register `data`, or "".
std::string connectorReading(const ir::State& state, ir::NodeId tasklet, const std::string& data) {
  for (ir::EdgeId e : state.inEdges(tasklet))
    if (state.edge(e).memlet.data == data) return state.edge(e).dstConn;
  return "";
}

/// True when the initialising tasklet of `stage` writes the constant `value` (or, for -inf, the
/// dtype's lowest value).
bool startsAt(const ir::State& state, const RowStage& stage, double value) {
  const auto& tasklet = std::get<ir::Tasklet>(state.node(*stage.initTasklet).payload);
  if (tasklet.outputs.size() != 1 || tasklet.outputs.front().expr->kind != ir::ExprKind::Constant) return false;
  double start = tasklet.outputs.front().expr->value;
  return start == value || (std::isinf(value) && value < 0 && start <= -std::numeric_limits<float>::max());
}

bool isBinary(const ir::Expr& e, ir::BinaryOp op) { return e->kind == ir::ExprKind::Binary && e->binaryOp == op; }

/// True when the output contraction's value is a probability times something else.
bool linearInProbabilities(const ir::State& state, const AttentionKernel& a) {
  std::string p = connectorReading(state, a.output.reduceTasklet, a.probabilityBuffer);
  const auto& tasklet = std::get<ir::Tasklet>(state.node(a.output.reduceTasklet).payload);
  if (p.empty() || tasklet.outputs.size() != 1) return false;
  const ir::Expr& value = tasklet.outputs.front().expr;
  if (!isBinary(value, ir::BinaryOp::Mul)) return false;
  for (size_t k = 0; k < 2; ++k) {
    std::vector<std::string> other = ir::referencedNames(value->args[1 - k]);
    if (ir::equal(value->args[k], ir::ref(p, value->args[k]->dtype)) && !std::count(other.begin(), other.end(), p))
      return true;
  }
  return false;
}

/// True when `tasklet` reads one of the softmax's statistics.
bool readsStatistic(const ir::State& state, ir::NodeId tasklet, const SoftmaxForm& form) {
  return !connectorReading(state, tasklet, form.maximum.statistic).empty() ||
         !connectorReading(state, tasklet, form.sum.statistic).empty();
}

}  // namespace

std::optional<SoftmaxForm> softmaxForm(const ir::State& state, const RowKernel& row) {
  if (row.reductions.size() != 2) return std::nullopt;
  const RowStage& maximum = row.reductions[0];
  const RowStage& sum = row.reductions[1];
  if (maximum.wcr != ir::Wcr::Max || sum.wcr != ir::Wcr::Sum) return std::nullopt;
  if (!finishesUnchanged(state, maximum) || !finishesUnchanged(state, sum)) return std::nullopt;
  if (!startsAt(state, maximum, -std::numeric_limits<double>::infinity()) || !startsAt(state, sum, 0))
    return std::nullopt;
  const auto& output = std::get<ir::Tasklet>(state.node(row.output.tasklet).payload);
  if (output.outputs.size() != 1) return std::nullopt;
  std::string m = connectorReading(state, row.output.tasklet, maximum.statistic);
  std::string l = connectorReading(state, row.output.tasklet, sum.statistic);
  if (m.empty() || l.empty()) return std::nullopt;
  // exp(x - m) / l
  const ir::Expr& p = output.outputs.front().expr;
  if (!isBinary(p, ir::BinaryOp::Div) || !ir::equal(p->args[1], ir::ref(l, p->args[1]->dtype))) return std::nullopt;
  const ir::Expr& exponential = p->args[0];
  if (exponential->kind != ir::ExprKind::Unary || exponential->unaryOp != ir::UnaryOp::Exp) return std::nullopt;
  const ir::Expr& shifted = exponential->args[0];
  if (!isBinary(shifted, ir::BinaryOp::Sub) || !ir::equal(shifted->args[1], ir::ref(m, shifted->args[1]->dtype)))
    return std::nullopt;
  const ir::Expr& x = shifted->args[0];
  std::vector<std::string> names = ir::referencedNames(x);
  if (std::count(names.begin(), names.end(), m) || std::count(names.begin(), names.end(), l)) return std::nullopt;
  // The maximum of x, and the sum of exp(x - m).
  std::optional<ir::Expr> maximumValue = valueInOutputTerms(state, row, maximum);
  std::optional<ir::Expr> sumValue = valueInOutputTerms(state, row, sum);
  if (!maximumValue || !sumValue || !ir::equal(*maximumValue, x) || !ir::equal(*sumValue, exponential))
    return std::nullopt;
  return SoftmaxForm{x, exponential, m, maximum, sum};
}

std::optional<SoftmaxForm> keywiseSoftmax(const ir::State& state, const AttentionKernel& attention) {
  std::optional<SoftmaxForm> form = softmaxForm(state, attention.softmax);
  const NestedReduction& output = attention.output;
  const ir::Map& reduction = state.mapOf(output.innerEntry);
  const ir::Map& elements = state.mapOf(attention.softmax.output.innerEntry);
  if (!form || output.wcr != ir::Wcr::Sum || reduction.params.size() != 1 || elements.params.size() != 1 ||
      !linearInProbabilities(state, attention))
    return std::nullopt;
  for (ir::NodeId tasklet : {output.initTasklet, output.reduceTasklet, output.epilogueTasklet})
    if (readsStatistic(state, tasklet, *form)) return std::nullopt;
  // Both the softmax's elements and the output's reduction run over the keys from 0 by 1.
  std::optional<int64_t> keys = ir::iterationCount(state.mapOf(attention.scores.outerEntry));
  for (const ir::Map* map : {&reduction, &elements}) {
    const ir::Range& range = map->ranges.ranges.front();
    if (!keys || range.begin.constantValue() != 0 || range.step != 1 || ir::iterationCount(*map) != keys)
      return std::nullopt;
  }
  return form;
}

}  // namespace conflux::passes
