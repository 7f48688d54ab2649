#pragma once
// The pass interface: a small object with a name that transforms a graph in place.
#include <functional>
#include <ostream>
#include <string>
#include <string_view>

#include "ir/graph.h"
#include "ir/target_desc.h"
#include "passes/analysis_manager.h"

namespace conflux::passes {

/// What every pass may read: the target, the cached analyses and the logging / dumping hooks.
struct PassContext {
  ir::TargetDesc target;
  /// Analyses of the graph being transformed, kept across passes that do not modify what they
  /// depend on.
  AnalysisManager analyses;
  /// Validate the graph after every pass (on in debug builds and in tests).
  bool validateEachPass = false;
  /// Called after each pass that `dumpAfter` selects ("all" or a pass name).
  std::string dumpAfter;
  std::function<void(std::string_view pass, const ir::Graph&)> dump;
  /// Receives one line per pass run; may be null.
  std::ostream* log = nullptr;
};

/// A transformation or analysis-updating pass over a whole graph.
class Pass {
 public:
  virtual ~Pass() = default;
  /// The kebab-case name used in pipelines and on the command line.
  virtual std::string_view name() const = 0;
  /// Transforms `graph` in place; returns what it modified (Modified::None when nothing), for
  /// the pass manager to drop the analyses that depended on it.
  virtual Modified run(ir::Graph& graph, PassContext& context) = 0;
};

}  // namespace conflux::passes
