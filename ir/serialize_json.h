#pragma once
// The versioned JSON form of the IR ("format": "conflux-ir"). Writing then reading then
// writing gives the identical text.
#include <string>

#include "ir/graph.h"

namespace conflux::ir {

/// The current version of the IR JSON format.
inline constexpr int kIrJsonVersion = 1;

/// Serialises a graph to JSON text (2-space indented, keys sorted).
std::string toJson(const Graph& graph);

/// Reads a graph from JSON text; `source` (a file name) prefixes every error message.
/// Throws conflux::Error on malformed text, unknown keys, a wrong format or version.
Graph fromJson(const std::string& text, const std::string& source);

/// True when the text looks like an IR JSON document (has "format": "conflux-ir").
bool isIrJson(const std::string& text);

}  // namespace conflux::ir
