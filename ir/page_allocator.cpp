#include "ir/page_allocator.h"

#include <sys/mman.h>

#include <cstdlib>

namespace conflux::ir {
namespace {

constexpr size_t kHugePage = size_t{2} << 20;
/// Smaller blocks start on a cache line, like every vector load of a row.
constexpr std::align_val_t kCacheLine{64};

}  // namespace

void* allocatePages(size_t bytes) {
  if (bytes < kHugePage) return ::operator new(bytes, kCacheLine);
  size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
  void* block = std::aligned_alloc(kHugePage, rounded);
  if (!block) throw std::bad_alloc();
  // Advice only, before the first touch: without huge pages the block works the same.
  madvise(block, rounded, MADV_HUGEPAGE);
  return block;
}

void releasePages(void* block, size_t bytes) noexcept {
  if (bytes < kHugePage) {
    ::operator delete(block, kCacheLine);
  } else {
    std::free(block);
  }
}

}  // namespace conflux::ir
