#pragma once
// One execution of a graph: its buffers (one per array, shared by all access nodes of it),
// its interstate symbols and the state machine that drives the states.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "targets/reference/memlet_address.h"

namespace conflux::targets::reference {

class StateExecutor;
class ScalarProgram;

/// A graph with its buffers allocated, ready to execute.
class GraphRun {
 public:
  /// Allocates every array of `graph`: non-transient arrays named in `inputs` take those
  /// values (checked against the array's dtype and shape), constants their
  /// Graph::constantValue, everything else zeros. Every graph input must be given unless it
  /// has a constant value. Symbols start at `symbols` (0 when absent). Messages are prefixed
  /// with `where` (the nested graph node, empty at the top level).
  GraphRun(const ir::Graph& graph, const std::map<std::string, ir::Tensor>& inputs,
           const std::map<std::string, int64_t>& symbols = {}, const std::string& where = "");
  ~GraphRun();

  /// Runs the state machine: from the start state, after each state take the first
  /// interstate edge whose condition (null: true) holds and apply its assignments in order
  /// (each sees the previous ones); stop when none holds. Throws conflux::Error after
  /// kMaxStateRuns state executions (an interstate loop that does not terminate).
  void execute();
  /// The value of array `name` (after execute(): its final value).
  const ir::Tensor& array(const std::string& name) const { return buffers_.at(name); }

  /// The bound on state executions in one run.
  static constexpr int64_t kMaxStateRuns = 1'000'000;

 private:
  /// An interstate edge with its condition and assignments compiled.
  struct Transition {
    size_t src = 0;
    size_t dst = 0;
    std::unique_ptr<ScalarProgram> condition;  // null: always
    std::vector<std::pair<int, std::unique_ptr<ScalarProgram>>> assignments;  // slot, value
  };

  void allocate(const std::map<std::string, ir::Tensor>& inputs);
  void compileTransitions(const std::map<std::string, int64_t>& symbols);

  const ir::Graph& graph_;
  std::string where_;  // "<nested node>: graph 'g'"
  Buffers buffers_;
  NameScope symbols_;
  std::vector<int64_t> env_;
  std::vector<std::unique_ptr<StateExecutor>> states_;
  std::vector<Transition> transitions_;
};

}  // namespace conflux::targets::reference
