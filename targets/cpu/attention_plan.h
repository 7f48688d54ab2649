#pragma once
// What the cpu target plans for an attention kernel before lowering it, with no Halide in
// sight: whether it runs an online softmax, and over how many keys at a time.
#include <cstdint>
#include <optional>

#include "ir/graph.h"
#include "ir/target_desc.h"
#include "passes/kernel_patterns.h"

namespace conflux::targets::cpu {

/// The bytes one query row of an attention kernel holds per block of `keys` keys: its scores,
/// softmax exponentials and probabilities, in float32.
constexpr int64_t attentionRowBytes(int64_t keys) { return 3 * keys * 4; }

/// The keys per block of the online softmax the cpu target runs for `attention` on `target`:
/// when a block of 8 query rows' scores, exponentials and probabilities outgrow half of L2, the
/// kernel runs over blocks of keys — the largest power of two of at least two vectors that
/// divides the keys and whose buffers take a sixteenth of L2 (CacheBudget::block) — rescaling its
/// running sums as the row maximum grows, and holds no whole row. Nothing when whole rows fit,
/// when the kernel's softmax (passes::softmaxForm) or its output contraction (a sum from 0 over
/// the keys of probabilities times values, no statistic read) is not of the form that rescaling
/// preserves, or when no such block divides the keys.
std::optional<int> onlineKeyBlock(const ir::State& state, const passes::AttentionKernel& attention,
                                  const ir::TargetDesc& target);

}  // namespace conflux::targets::cpu
