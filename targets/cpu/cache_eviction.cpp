#include "targets/cpu/cache_eviction.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <string>
#include <vector>

#include "ir/error.h"

namespace conflux::targets::cpu {

uint64_t trimCache(const std::filesystem::path& dir, uint64_t maxBytes, std::chrono::seconds recent) {
  namespace fs = std::filesystem;
  struct Entry {
    fs::path path;
    uint64_t bytes;
    fs::file_time_type used;
  };
  std::vector<Entry> entries;
  uint64_t total = 0, removed = 0;
  const fs::file_time_type now = fs::file_time_type::clock::now();
  std::error_code error;
  for (const fs::directory_entry& e : fs::directory_iterator(dir, error)) {
    std::error_code entryError;
    if (!e.is_regular_file(entryError)) continue;
    Entry entry{e.path(), e.file_size(entryError), e.last_write_time(entryError)};
    if (entryError) continue;
    if (entry.path.filename().string().rfind(".tmp.", 0) == 0) {
      // A partial write: its writer renames or removes it within seconds, unless it died.
      if (now - entry.used > std::chrono::hours(1) && fs::remove(entry.path, entryError)) removed += entry.bytes;
      continue;
    }
    total += entry.bytes;
    entries.push_back(std::move(entry));
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.used < b.used; });
  for (const Entry& entry : entries) {
    if (total <= maxBytes || now - entry.used < recent) break;
    // Another process may have used it since the listing: its time is read again.
    std::error_code entryError;
    fs::file_time_type used = fs::last_write_time(entry.path, entryError);
    if (entryError || now - used < recent) continue;
    if (fs::remove(entry.path, entryError)) {
      total -= entry.bytes;
      removed += entry.bytes;
    }
  }
  return removed;
}

uint64_t userCacheBound() {
  if (const char* text = std::getenv("CONFLUX_CACHE_MAX_MB"); text && *text) {
    char* end = nullptr;
    unsigned long long megabytes = std::strtoull(text, &end, 10);
    constexpr unsigned long long kMost = ~uint64_t{0} >> 20;  // so that the bytes fit
    if (std::isdigit(static_cast<unsigned char>(*text)) && end && *end == '\0')
      return static_cast<uint64_t>(std::min(megabytes, kMost)) << 20;
    throw Error("CONFLUX_CACHE_MAX_MB='" + std::string(text) + "' is not a number of megabytes");
  }
  return uint64_t{2048} << 20;
}

}  // namespace conflux::targets::cpu
