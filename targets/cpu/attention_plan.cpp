#include "targets/cpu/attention_plan.h"

#include <bit>

#include "ir/footprint.h"
#include "passes/kernel_patterns.h"
#include "passes/softmax_form.h"
#include "targets/cpu/schedules.h"

namespace conflux::targets::cpu {

std::optional<int> onlineKeyBlock(const ir::State& state, const passes::AttentionKernel& attention,
                                  const ir::TargetDesc& target) {
  std::optional<int64_t> keys = ir::iterationCount(state.mapOf(attention.scores.outerEntry));
  if (!keys) return std::nullopt;
  CacheBudget budget = CacheBudget::of(target);
  // A block of query rows holds each row's scores, exponentials and probabilities.
  auto rowsFit = [&](int64_t rowKeys) { return kTileRows * attentionRowBytes(rowKeys) <= budget.streamed; };
  if (rowsFit(*keys)) return std::nullopt;
  if (!passes::keywiseSoftmax(state, attention)) return std::nullopt;
  // Key blocks whose buffers take at most budget.block: at 8192 keys, blocks of 512 to 2048
  // keys ran in 142-146 ms where 4096 took 167 ms (`conflux report --measure`, 2 heads).
  int lanes = vectorLanes(target, Halide::Float(32));
  for (int64_t block = std::bit_floor(static_cast<uint64_t>(*keys / 2)); block >= 2 * lanes; block /= 2)
    if (*keys % block == 0 && kTileRows * attentionRowBytes(block) <= budget.block) return static_cast<int>(block);
  return std::nullopt;
}

}  // namespace conflux::targets::cpu
