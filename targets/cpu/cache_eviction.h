#pragma once
// Bounding the compile cache (object_cache.h): each use of an entry marks it used (its
// modification time), and when the cache outgrows its bound the least recently used entries
// go, sparing those used in the last hour, which a process running now may be about to link.
#include <chrono>
#include <cstdint>
#include <filesystem>

namespace conflux::targets::cpu {

/// Removes the least recently used entries of the cache in `dir` until it holds at most
/// `maxBytes` (and partial writes of processes that died, once stale), sparing entries used
/// within `recent`. Returns the bytes removed; an entry removed meanwhile is skipped.
uint64_t trimCache(const std::filesystem::path& dir, uint64_t maxBytes,
                   std::chrono::seconds recent = std::chrono::hours(1));

/// The bound of the user's cache: $CONFLUX_CACHE_MAX_MB megabytes, default 2048. Throws
/// conflux::Error when the variable is not a number.
uint64_t userCacheBound();

}  // namespace conflux::targets::cpu
