#pragma once
// Kernel partition: which nodes of a state run as one kernel. A kernel is a top-level map
// scope (its entry, exit and everything between), a top-level tasklet, or a library node —
// the unit a target launches and the unit the data-movement report counts.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace conflux::passes {

/// One kernel of one state.
struct Kernel {
  /// "k<index>_<label>", unique in the graph.
  std::string name;
  size_t state = 0;
  /// The top-level node that defines it (a map entry, tasklet or library node).
  ir::NodeId root;
  /// Every node of the kernel (root, scope body and exit), ascending.
  std::vector<ir::NodeId> nodes;
  /// Edges between the kernel and access nodes outside it (its memory traffic), ascending.
  std::vector<ir::EdgeId> reads;
  std::vector<ir::EdgeId> writes;
  /// Model nodes it came from (union of the nodes' origins, first-seen order).
  std::vector<std::string> origins;
};

/// The kernels of every state, in state order then topological order.
std::vector<Kernel> extractKernels(const ir::Graph& graph);

/// The kernels of the state `stateIndex`, by root.
std::map<ir::NodeId, Kernel> kernelsByRoot(const ir::Graph& graph, size_t stateIndex);

/// For each kernel, whether one run at load time gives every later run the same memory: it
/// reads no array, writes only transients, and no other kernel writes any element it writes
/// (the zero border of a padded copy, whose interior another kernel fills each run).
std::vector<bool> runOnceKernels(const ir::Graph& graph, const std::vector<Kernel>& kernels);

/// The parts of a nested reduction kernel (what reduction-fusion builds): a map over the output
/// space whose body initialises a register accumulator, combines a nested map's values into
/// it, and writes the output element from it.
struct NestedReduction {
  ir::NodeId outerEntry, innerEntry;
  /// acc = init; (inner map) acc ⊕= reduce; output = epilogue(acc, ...).
  ir::NodeId initTasklet, reduceTasklet, epilogueTasklet;
  /// The register accumulator and the epilogue's connector reading it.
  std::string accumulator, epilogueConn;
  ir::Wcr wcr = ir::Wcr::None;
};

/// The parts of `kernel` when it is a nested reduction, or nothing.
std::optional<NestedReduction> nestedReduction(const ir::State& state, const Kernel& kernel);

/// One stage of a row kernel: a map nested in the row map, around one tasklet.
struct RowStage {
  ir::NodeId innerEntry, tasklet;
  /// A reduction stage (tasklet writes with a write-conflict resolution): acc = init;
  /// (inner map) acc ⊕= tasklet; statistic = finish(acc), both register scalars. The output
  /// stage has none of these: its tasklet writes the kernel's output.
  std::optional<ir::NodeId> initTasklet, finishTasklet;
  std::string accumulator, statistic;
  ir::Wcr wcr = ir::Wcr::None;
};

/// The parts of a row kernel (what row-fusion builds): a map over rows whose body runs
/// reduction stages in order, each defining a per-row statistic the later stages may read,
/// and last the stage that writes the output.
struct RowKernel {
  ir::NodeId rowEntry;
  std::vector<RowStage> reductions;
  RowStage output;
};

/// The parts of `kernel` when it is a row kernel, or nothing.
std::optional<RowKernel> rowKernel(const ir::State& state, const Kernel& kernel);

/// The parts of an attention kernel (what attention-fusion builds): a map over query rows whose
/// body runs a nested reduction writing the row's scores into a register row buffer, the
/// softmax's stages over that buffer (its output stage writing the probabilities' row buffer),
/// and a nested reduction over the probabilities writing the kernel's output.
struct AttentionKernel {
  ir::NodeId rowEntry;
  NestedReduction scores;
  /// The softmax between them; its output stage writes the probabilities.
  RowKernel softmax;
  NestedReduction output;
  /// The register row buffers.
  std::string scoreBuffer, probabilityBuffer;
};

/// The parts of `kernel` when it is an attention kernel, or nothing.
std::optional<AttentionKernel> attentionKernel(const ir::State& state, const Kernel& kernel);

/// The per-element value of the reduction stage `stage` of `row` with its connectors renamed to
/// the output stage's that read the same elements (the stages' inner parameters paired in
/// order), or nothing when the two stages' maps differ or the output stage does not read every
/// element the stage reads.
std::optional<ir::Expr> valueInOutputTerms(const ir::State& state, const RowKernel& row, const RowStage& stage);

/// The per-element value of the reduction stage `stage` of `row`, with its connectors renamed
/// to the output stage's that read the same elements (the stages' inner parameters paired in
/// order), when the output stage's expression contains it: a softmax's exp(x - max), which the
/// output stage would otherwise compute again. Nothing otherwise, and for a value without
/// operations (an element read).
std::optional<ir::Expr> valueSharedWithOutput(const ir::State& state, const RowKernel& row, const RowStage& stage);

}  // namespace conflux::passes
