#pragma once
// The Funcs of a row kernel's stages (passes::RowKernel): each statistic a Func over the row
// parameters, each reduction in vector lanes (lane u combines every L-th element of the row, the
// lanes combined at the end), the output stage's value over the row's elements. A target schedule
// computes them per row, or per block of rows, of the Func it feeds (schedule()). Register row
// buffers the stages read (an attention's scores) are Funcs registered with readBuffer().
#include <Halide.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "passes/kernel_patterns.h"
#include "passes/kernels.h"
#include "targets/cpu/array_source.h"

namespace conflux::targets::cpu {

/// Builds the Funcs of one row kernel's stages.
class RowLowering {
 public:
  /// `lanes` is the vector width of the stages' element type; `where` names the kernel in errors.
  RowLowering(const ir::Graph& graph, const passes::Kernel& kernel, const passes::RowKernel& row,
              const ArrayLookup& arrays, int lanes, const std::string& where);

  /// Reads of the register array `data` become calls of `f`, whose arguments are the element
  /// index (innermost dimension first) and then rowArgs().
  void readBuffer(const std::string& data, Halide::Func f) { buffers_[data] = std::move(f); }

  /// Reductions defined after this combine only the elements before `end`, an expression of the
  /// row variables (a bound past which every element is known to leave the statistics as they
  /// are: keys a causal mask hides). The stages must run over one parameter.
  void boundElements(Halide::Expr end) { elementEnd_ = std::move(end); }

  /// Defines one reduction stage: its accumulator over the row and the statistic from it.
  void reduce(const passes::RowStage& stage);

  /// The output stage's value where the output index is `pure` (each parameter's expression):
  /// values a reduction stage computed for the row are read, not computed again.
  Halide::Expr output(const std::map<std::string, Halide::Expr>& pure, const std::string& conn) const;

  /// The register values the tasklet `tasklet` reads where the parameters are `params` (the rows'
  /// included): the statistics of the row, row buffers at the memlets' indices, and `extra`.
  std::map<std::string, Halide::Expr> registersOf(ir::NodeId tasklet, const std::map<std::string, Halide::Expr>& params,
                                                  std::map<std::string, Halide::Expr> extra = {}) const;

  /// Computes every stage per row of `f`, at its loop `rows` (or per block of rows when that loop
  /// runs over blocks), or once for all rows when there is no such loop.
  void schedule(Halide::Func f, const std::optional<Halide::Var>& rows);

  /// The row parameters and their values (the row variables).
  const std::vector<std::string>& rowParams() const { return rowParams_; }
  const std::map<std::string, Halide::Expr>& rowValues() const { return rowValues_; }
  /// Row-parameter values in Func argument order (the last row parameter first, innermost).
  std::vector<Halide::Expr> rowArgs(std::vector<Halide::Expr> rowIndex) const;
  std::vector<Halide::Var> rowArgVars() const { return {rowVars_.rbegin(), rowVars_.rend()}; }

 private:
  Halide::Expr stageValue(const passes::RowStage& stage, const ir::Map& inner, size_t vector,
                          const std::vector<Halide::Expr>& index, const std::map<std::string, Halide::Expr>& params);
  std::vector<Halide::Expr> rowExprs() const { return {rowVars_.begin(), rowVars_.end()}; }

  const ir::Graph& graph_;
  const ir::State& state_;
  const passes::Kernel& kernel_;
  const passes::RowKernel& row_;
  const ArrayLookup& arrays_;
  int lanes_;
  std::string where_;
  std::vector<std::string> rowParams_;
  std::vector<Halide::Var> rowVars_;
  std::map<std::string, Halide::Expr> rowValues_;
  std::map<std::string, Halide::Func> statistics_;
  std::map<std::string, Halide::Func> buffers_;
  std::vector<Halide::Func> perRow_;
  /// A reduction stage's per-element values that the output stage reads too.
  struct SharedValue {
    ir::Expr value;  // in the output stage's connectors
    Halide::Func func;
    size_t vector;  // the argument to vectorise
  };
  std::vector<SharedValue> shared_;
  /// Partial results of a reduction in vector lanes, with the reduction's domain.
  std::vector<std::pair<Halide::Func, Halide::RDom>> partials_;
  std::optional<Halide::Expr> elementEnd_;
};

}  // namespace conflux::targets::cpu
