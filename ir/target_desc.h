#pragma once
// Plain-data description of a target: how passes learn about a machine without including
// anything from targets/.
#include <cstdint>
#include <string>
#include <vector>

namespace conflux::ir {

/// One level of on-chip memory (a cache, GPU shared memory, an RDU memory unit).
struct MemoryLevel {
  std::string name;
  int64_t bytes = 0;
  /// Bytes per cycle or per second are target-specific; this is the sustained GB/s.
  double bandwidthGBs = 0;
  bool operator==(const MemoryLevel&) const = default;
};

/// What a pass may ask of a target.
struct TargetDesc {
  std::string name;
  /// SIMD width in 32-bit lanes (16 for AVX-512).
  int vectorLanes = 1;
  int threads = 1;
  double peakGflops = 0;
  double peakBandwidthGBs = 0;
  /// Innermost first (L1, L2, L3 / shared memory / PMU).
  std::vector<MemoryLevel> memories;
  bool operator==(const TargetDesc&) const = default;
};

/// Reads a target description from JSON text; `source` names the file in errors.
TargetDesc targetDescFromJson(const std::string& text, const std::string& source);
/// Writes a target description as JSON text.
std::string toJson(const TargetDesc& desc);

}  // namespace conflux::ir
