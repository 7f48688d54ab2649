#pragma once
// A deterministic, readable text form of the IR for dumps and golden tests.
#include <string>

#include "ir/graph.h"

namespace conflux::ir {

/// One line per array, node and edge, in name / id order; identical graphs print identically.
std::string print(const Graph& graph);

}  // namespace conflux::ir
