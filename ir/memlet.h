#pragma once
// Memlets: the data that moves along a dataflow edge.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ir/subset.h"

namespace conflux::ir {

/// How concurrent writes to one element combine (write-conflict resolution).
enum class Wcr { None, Sum, Max, Min, Product };

std::string_view wcrName(Wcr wcr);
/// Parses a WCR name; throws conflux::Error on unknown names.
Wcr parseWcr(std::string_view name);

/// A movement of `subset` of array `data`. An empty memlet (no data) only orders nodes.
struct Memlet {
  std::string data;
  Subset subset;
  /// Elements moved per execution of the enclosing scope; nothing when unknown (data-dependent).
  std::optional<int64_t> volume;
  Wcr wcr = Wcr::None;

  /// An empty memlet: a pure ordering edge.
  static Memlet empty() { return {}; }
  /// Moves `subset` of `data`; the volume is the subset's size when constant.
  static Memlet of(const std::string& data, const Subset& subset, Wcr wcr = Wcr::None);
  /// Moves `subset` (parsed from text) of `data`.
  static Memlet of(const std::string& data, std::string_view subset, Wcr wcr = Wcr::None);
  bool isEmpty() const { return data.empty(); }
  /// "A[i, 0:511] (volume 512, wcr sum)".
  std::string toString() const;
  bool operator==(const Memlet&) const = default;
};

}  // namespace conflux::ir
