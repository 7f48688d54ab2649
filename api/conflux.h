#pragma once
// The Conflux library facade: what frameworks and the CLI call.
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "ir/graph.h"

namespace conflux::api {

/// The targets Conflux knows, in the order the CLI lists them.
const std::vector<std::string>& targetNames();

/// Reads a model file. Today: IR JSON written by `conflux optimize`. Throws conflux::Error
/// naming the file when it cannot be read or is not a model Conflux understands.
ir::Graph load(const std::string& path);

/// How to optimise.
struct OptimizeOptions {
  int level = 3;
  std::string target = "cpu";
  /// Overrides the level's pipeline when set.
  std::optional<std::vector<std::string>> passes;
  /// "all" or a pass name: after it, `dump` receives the graph.
  std::string dumpAfter;
  std::function<void(std::string_view pass, const ir::Graph&)> dump;
  /// One line per pass; may be null.
  std::ostream* log = nullptr;
};

/// Validates `graph`, runs the pipeline and validates the result. Throws conflux::Error for
/// an unknown target, level or pass, and when the graph is invalid.
void optimize(ir::Graph& graph, const OptimizeOptions& options);

/// Writes the graph as IR JSON; throws conflux::Error when the file cannot be written.
void save(const ir::Graph& graph, const std::string& path);

}  // namespace conflux::api
