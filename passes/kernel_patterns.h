#pragma once
// Recognisers of the kernels the fusion passes build, for passes that fuse further and targets
// that lower them: a nested reduction (reduction-fusion), a row kernel (row-fusion) and an
// attention kernel (attention-fusion), each read back from a kernel's nodes into its parts.
#include <optional>
#include <string>
#include <vector>

#include "ir/expr.h"
#include "ir/graph.h"
#include "passes/kernels.h"

namespace conflux::passes {

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
