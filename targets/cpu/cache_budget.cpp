#include "targets/cpu/cache_budget.h"

namespace conflux::targets::cpu {

CacheBudget CacheBudget::of(const ir::TargetDesc& target) {
  CacheBudget budget;
  if (target.memories.size() >= 2 && target.memories[1].bytes > 0) {
    budget.core = target.memories[1].bytes;
    budget.streamed = target.memories[1].bytes / 2;
    budget.block = target.memories[1].bytes / 16;
  }
  return budget;
}

}  // namespace conflux::targets::cpu
