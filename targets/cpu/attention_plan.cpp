#include "targets/cpu/attention_plan.h"

#include <algorithm>
#include <bit>

#include "ir/footprint.h"
#include "passes/softmax_form.h"
#include "targets/cpu/schedules.h"
#include "targets/cpu/tasklet_inputs.h"

namespace conflux::targets::cpu {
namespace {

/// The rows of the attention kernel's register tiles: key blocks are sized for blocks of them.
constexpr int64_t kTileRows = 8;

const ir::Map& mapOf(const ir::State& state, ir::NodeId entry) {
  return std::get<ir::MapEntry>(state.node(entry).payload).map;
}

/// True when the output contraction's value is a probability times something else.
bool linearInProbabilities(const ir::State& state, const passes::AttentionKernel& a) {
  std::string p;
  for (ir::EdgeId e : state.inEdges(a.output.reduceTasklet))
    if (state.edge(e).memlet.data == a.probabilityBuffer) p = state.edge(e).dstConn;
  const ir::Expr& value = outputExpr(state, a.output.reduceTasklet, "");
  if (p.empty() || value->kind != ir::ExprKind::Binary || value->binaryOp != ir::BinaryOp::Mul) return false;
  for (size_t k = 0; k < 2; ++k) {
    std::vector<std::string> other = ir::referencedNames(value->args[1 - k]);
    if (ir::equal(value->args[k], ir::ref(p, value->args[k]->dtype)) && !std::count(other.begin(), other.end(), p))
      return true;
  }
  return false;
}

/// True when `tasklet` reads one of the softmax's statistics.
bool readsStatistic(const ir::State& state, ir::NodeId tasklet, const passes::SoftmaxForm& form) {
  for (ir::EdgeId e : state.inEdges(tasklet)) {
    const std::string& data = state.edge(e).memlet.data;
    if (data == form.maximum.statistic || data == form.sum.statistic) return true;
  }
  return false;
}

}  // namespace

std::optional<int> onlineKeyBlock(const ir::State& state, const passes::AttentionKernel& attention,
                                  const ir::TargetDesc& target) {
  std::optional<int64_t> keys = ir::iterationCount(mapOf(state, attention.scores.outerEntry));
  if (!keys) return std::nullopt;
  CacheBudget budget = CacheBudget::of(target);
  // A block of query rows holds each row's scores, exponentials and probabilities.
  auto rowsFit = [&](int64_t rowKeys) { return kTileRows * attentionRowBytes(rowKeys) <= budget.streamed; };
  if (rowsFit(*keys)) return std::nullopt;
  std::optional<passes::SoftmaxForm> form = passes::softmaxForm(state, attention.softmax);
  const ir::Map& reduction = mapOf(state, attention.output.innerEntry);
  const ir::Map& elements = mapOf(state, attention.softmax.output.innerEntry);
  if (!form || attention.output.wcr != ir::Wcr::Sum || reduction.params.size() != 1 || elements.params.size() != 1 ||
      !linearInProbabilities(state, attention) || readsStatistic(state, attention.output.epilogueTasklet, *form) ||
      readsStatistic(state, attention.output.initTasklet, *form) ||
      readsStatistic(state, attention.output.reduceTasklet, *form))
    return std::nullopt;
  // Both the softmax's elements and the output's reduction run over the keys from 0 by 1.
  for (const ir::Map* map : {&reduction, &elements}) {
    const ir::Range& range = map->ranges.ranges.front();
    if (range.begin.constantValue() != 0 || range.step != 1 || ir::iterationCount(*map) != keys) return std::nullopt;
  }
  // Key blocks whose buffers take at most budget.block: at 8192 keys, blocks of 512 to 2048
  // keys ran in 142-146 ms where 4096 took 167 ms (`conflux report --measure`, 2 heads).
  int lanes = vectorLanes(target, Halide::Float(32));
  for (int64_t block = std::bit_floor(static_cast<uint64_t>(*keys / 2)); block >= 2 * lanes; block /= 2)
    if (*keys % block == 0 && kTileRows * attentionRowBytes(block) <= budget.block) return static_cast<int>(block);
  return std::nullopt;
}

}  // namespace conflux::targets::cpu
