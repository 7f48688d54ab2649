#pragma once
// The online softmax of an attention kernel (FlashAttention's recurrence) as Halide Funcs: the
// keys run in blocks, each with its own maximum and sum of exponentials, and running results —
// the output's sum, the maximum m, the sum of exponentials l — are rescaled by exp(m_old - m_new)
// as the maximum grows; the output is init + sum / l. No row of scores is held whole. The
// attention lowering builds the output's contraction per key block and schedules the tiles.
#include <Halide.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ir/graph.h"
#include "passes/kernel_patterns.h"
#include "passes/kernels.h"
#include "passes/softmax_form.h"
#include "targets/cpu/array_source.h"
#include "targets/cpu/row_lowering.h"

namespace conflux::targets::cpu {

/// Builds the online softmax of one attention kernel.
class OnlineSoftmax {
 public:
  /// `form`: the kernel's softmax (passes::keywiseSoftmax); `rows`: the lowering of its row
  /// stages, which reads the scores; `keys` in blocks of `keyBlock`; `lanes`: the vector width.
  OnlineSoftmax(const ir::Graph& graph, const passes::Kernel& kernel, const passes::AttentionKernel& attention,
                passes::SoftmaxForm form, const ArrayLookup& arrays, const RowLowering& rows, int keys,
                int keyBlock, int lanes, const std::string& where);

  int keyBlock() const { return keyBlock_; }
  /// The key block's variable in Funcs over blocks of keys.
  const Halide::Var& blockVar() const { return blockVar_; }

  /// Defines each key block's softmax inputs, exponentials, maximum and sum of exponentials;
  /// `rows` must read the scores by then.
  void defineBlocks();

  /// The probability the output's contraction reads for key `key` of key block `block`: the
  /// key's exponential against its block's maximum (the running results rescale it).
  Halide::Expr probability(const Halide::Expr& key, const Halide::Expr& block) const;

  /// Only the key blocks that start before `end` (an expression of the row variables) run.
  void limitKeys(Halide::Expr end) { end_ = std::move(end); }

  /// The output's accumulator where its index is `at` (element variables' values, then the
  /// rows'): `init` + sum / l, with the running results over the key blocks of `blockOutput`,
  /// the output's contraction over one key block, whose arguments are `elements`, the block and
  /// the rows.
  Halide::Expr result(Halide::Func blockOutput, const std::vector<Halide::Var>& elements,
                      const std::vector<Halide::Expr>& at, const Halide::Expr& init);

  /// The running results, which the output's tiles update per key block.
  Halide::Func running() const { return running_; }

  /// Computes the running results per block of rows of `f` (its loop `rows`), updated key block
  /// by key block in tiles of `tileRows` values of `query` x `columns` elements (the loop over
  /// column tiles named `columnTiles`); returns the loop over key blocks, where each block's
  /// values are computed.
  Halide::LoopLevel scheduleBlocked(Halide::Func f, const Halide::Var& rows, const Halide::Var& query, int tileRows,
                                    int columns, const Halide::Var& columnTiles);

  /// Computes the running results per row of `f` (its loop `rows`), each key block's values once
  /// per row; returns the loop over key blocks.
  Halide::LoopLevel scheduleRowByRow(Halide::Func f, const Halide::Var& rows);

 private:
  std::vector<Halide::Expr> blockArgs(const Halide::Expr& key, const Halide::Expr& block) const;
  Halide::Func blockReduction(const std::string& name, Halide::Func value, ir::Wcr wcr);
  void computeBlocksAt(const Halide::LoopLevel& perKeyBlock);

  const ir::Graph& graph_;
  const ir::State& state_;
  const passes::Kernel& kernel_;
  const passes::AttentionKernel& a_;
  passes::SoftmaxForm form_;
  const ArrayLookup& arrays_;
  const RowLowering& rows_;
  int keys_, keyBlock_, lanes_;
  std::string where_;
  Halide::Var blockVar_{"kb"};
  Halide::RDom keyBlocks_;
  std::optional<Halide::Expr> end_;
  Halide::Func blockX_, blockExp_, blockMax_, blockSum_, running_;
  /// Each block reduction's partial results in vector lanes, with its domain, and its totals.
  std::vector<std::pair<Halide::Func, Halide::RDom>> blockPartials_;
  std::vector<Halide::Func> blockTotals_;
};

}  // namespace conflux::targets::cpu
