#pragma once
// The allocator of tensor storage: blocks of 2 MiB or more are aligned to 2 MiB and advised to
// use transparent huge pages, so kernels walking the rows of a large operand (a weight matrix
// read column panel by column panel) take few TLB misses. Smaller blocks start on a cache line.
#include <cstddef>
#include <new>

namespace conflux::ir {

/// Allocates `bytes`: huge-page backed where large enough. Throws std::bad_alloc.
void* allocatePages(size_t bytes);
/// Releases a block of `bytes` from allocatePages.
void releasePages(void* block, size_t bytes) noexcept;

/// A standard allocator over allocatePages / releasePages.
template <typename T>
struct PageAllocator {
  using value_type = T;
  PageAllocator() = default;
  template <typename U>
  PageAllocator(const PageAllocator<U>&) noexcept {}
  T* allocate(size_t n) { return static_cast<T*>(allocatePages(n * sizeof(T))); }
  void deallocate(T* p, size_t n) noexcept { releasePages(p, n * sizeof(T)); }
  template <typename U>
  bool operator==(const PageAllocator<U>&) const noexcept {
    return true;
  }
};

}  // namespace conflux::ir
