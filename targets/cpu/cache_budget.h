#pragma once
// What the working sets of the cpu target's tiles may take, from the target's caches.
#include <cstdint>

#include "ir/target_desc.h"

namespace conflux::targets::cpu {

/// What a tile's working set may take, from the target's second cache level (L2; 1 MiB when the
/// description names none).
struct CacheBudget {
  /// L2, each core's own: the loops over a contraction's tiles are ordered by the bytes
  /// crossing it.
  int64_t core = 1 << 20;
  /// Half of L2: an operand beyond it is reused panel by panel, an attention's block of rows
  /// and a head's keys and values stay within it.
  int64_t streamed = 512 << 10;
  /// A sixteenth of L2: a blocked reduction's accumulators, and its slice of a full-width tile's
  /// column panel.
  int64_t block = 64 << 10;

  /// The budget of `target`'s L2 (the defaults where it names none).
  static CacheBudget of(const ir::TargetDesc& target);
};

}  // namespace conflux::targets::cpu
