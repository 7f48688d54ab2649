#pragma once
// Arrays and blocks of the cpu target's memory start on cache lines: no two share one.
#include <cstddef>

namespace conflux::targets::cpu {

/// The cache line of the x86-64 cores the target runs on, in bytes.
inline constexpr size_t kCacheLineBytes = 64;

/// `offset` rounded up to a whole number of cache lines.
inline size_t cacheLineAligned(size_t offset) { return (offset + kCacheLineBytes - 1) / kCacheLineBytes * kCacheLineBytes; }

}  // namespace conflux::targets::cpu
