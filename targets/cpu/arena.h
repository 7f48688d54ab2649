#pragma once
// The memory of a compiled program: one allocation holding every array, placed once at compile
// time (no allocation on the hot path), aligned for vector loads and backed by transparent huge
// pages where the operating system offers them — large operands then cost few TLB misses when
// a contraction walks their rows.
#include <cstddef>
#include <cstdint>

namespace conflux::targets::cpu {

/// A zero-initialised block of memory, released on destruction.
class Arena {
 public:
  /// Reserves `bytes` (at least one byte); throws conflux::Error when the system refuses.
  explicit Arena(size_t bytes);
  ~Arena();
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  std::byte* data() const { return data_; }
  size_t size() const { return size_; }

  /// Bytes between consecutive arrays' starts are a multiple of this (a cache line).
  static constexpr size_t kAlignment = 64;
  /// `offset` rounded up to kAlignment.
  static size_t aligned(size_t offset) { return (offset + kAlignment - 1) / kAlignment * kAlignment; }

 private:
  void* mapping_ = nullptr;
  size_t mappingSize_ = 0;
  std::byte* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace conflux::targets::cpu
