#pragma once
// Map iteration spaces written inline by tests.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "ir/node.h"

namespace conflux::testing {

/// A map over `params` (name, extent), each ranging over 0:extent-1.
inline ir::Map iterationSpace(const std::vector<std::pair<std::string, int64_t>>& params) {
  ir::Map map;
  for (const auto& [name, extent] : params) {
    map.params.push_back(name);
    map.ranges.ranges.push_back(ir::Range::full(extent));
  }
  return map;
}

}  // namespace conflux::testing
