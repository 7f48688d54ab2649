#include "targets/cpu/arena.h"

#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "ir/error.h"

namespace conflux::targets::cpu {
namespace {

/// Transparent huge pages are 2 MiB on x86-64; mappings aligned to it can use them.
constexpr size_t kHugePage = size_t{2} << 20;

}  // namespace

Arena::Arena(size_t bytes) : size_(std::max<size_t>(bytes, 1)) {
  size_t rounded = (size_ + kHugePage - 1) / kHugePage * kHugePage;
  mappingSize_ = rounded + kHugePage;  // slack to align the start
  mapping_ = mmap(nullptr, mappingSize_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapping_ == MAP_FAILED) {
    mapping_ = nullptr;
    throw Error("cpu target: cannot reserve " + std::to_string(size_) + " bytes: " + std::strerror(errno));
  }
  auto address = reinterpret_cast<uintptr_t>(mapping_);
  uintptr_t start = (address + kHugePage - 1) / kHugePage * kHugePage;
  data_ = reinterpret_cast<std::byte*>(start);
  // Advice only: without huge pages the arena works the same, with more TLB misses.
  madvise(data_, rounded, MADV_HUGEPAGE);
}

Arena::~Arena() {
  if (mapping_) munmap(mapping_, mappingSize_);
}

}  // namespace conflux::targets::cpu
