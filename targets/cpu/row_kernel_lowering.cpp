#include "targets/cpu/row_kernel_lowering.h"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <map>

#include "ir/error.h"
#include "passes/kernel_patterns.h"
#include "passes/map_patterns.h"
#include "targets/cpu/buffer_views.h"
#include "targets/cpu/dense_write.h"
#include "targets/cpu/halide_expr.h"
#include "targets/cpu/module_key.h"
#include "targets/cpu/row_lowering.h"
#include "targets/cpu/schedules.h"
#include "targets/cpu/tasklet_inputs.h"

namespace conflux::targets::cpu {

LoweredKernel lowerRowKernel(const ir::Graph& graph, const passes::Kernel& kernel, const passes::RowKernel& row,
                             const ArrayLookup& arrays, PipelineLibrary& library, const ir::TargetDesc& target,
                             const std::string& where) {
  const ir::State& state = graph.state(kernel.state);
  const ir::Map& rows = state.mapOf(row.rowEntry);
  const ir::Map& inner = state.mapOf(row.output.innerEntry);
  const ir::Edge& writeEdge = state.edge(state.outEdges(row.output.tasklet).front());
  const ir::DataDesc& out = graph.array(writeEdge.memlet.data);
  ir::Map space = rows;
  space.params.insert(space.params.end(), inner.params.begin(), inner.params.end());
  space.ranges.ranges.insert(space.ranges.ranges.end(), inner.ranges.ranges.begin(), inner.ranges.ranges.end());
  std::optional<DenseWrite> box = denseWrite(writeEdge.memlet.subset, space, out.shape);
  if (!box) throw Error(where + ": the row kernel does not write one element per iteration");
  const std::vector<int>& order = out.layout.order;
  Halide::Buffer<> outBuffer =
      memoryOrderView(boxView(arrays(writeEdge.memlet.data).buffer(where), box->offsets, box->extents), order);
  size_t rank = order.size();
  std::vector<Halide::Var> vars;  // vars[k] indexes row-major dimension k
  for (size_t k = 0; k < rank; ++k) vars.emplace_back("d" + std::to_string(rank - 1 - k));
  std::vector<Halide::Var> halideVars;  // memory order, innermost first
  for (size_t j = 0; j < rank; ++j) halideVars.push_back(vars[static_cast<size_t>(order[rank - 1 - j])]);

  int lanes = vectorLanes(target, storageType(out.dtype));
  RowLowering lowering(graph, kernel, row, arrays, lanes, where);
  for (const passes::RowStage& stage : row.reductions) lowering.reduce(stage);
  Halide::Func f(uniqueFuncName(kernel.name + "_" + writeEdge.srcConn));
  f(halideVars) = Halide::cast(storageType(out.dtype), lowering.output(paramsAt(*box, vars), writeEdge.srcConn));

  // Rows outside the reduced dimensions in memory (a softmax or layer norm over the last axes):
  // the output's row dimensions (and those of one element) fuse into one parallel loop, each
  // row's statistics computed in it. Otherwise the statistics are computed for all rows first.
  std::vector<bool> isRow(rank, false);
  bool nested = box->unmerged();
  for (size_t j = 0; j < rank; ++j) {
    std::string p = box->soleParam(static_cast<size_t>(order[rank - 1 - j]));
    isRow[j] = std::count(rows.params.begin(), rows.params.end(), p) > 0 || outBuffer.dim(static_cast<int>(j)).extent() == 1;
  }
  size_t firstRow = static_cast<size_t>(std::find(isRow.begin(), isRow.end(), true) - isRow.begin());
  nested = nested && firstRow > 0 && firstRow < rank &&
           std::all_of(isRow.begin() + static_cast<long>(firstRow), isRow.end(), [](bool b) { return b; });
  if (nested) {
    if (outBuffer.dim(0).extent() >= lanes) f.vectorize(halideVars[0], lanes);
    Halide::Var rowLoop = halideVars[firstRow];
    for (size_t j = firstRow + 1; j < rank; ++j) {
      Halide::Var fused(rowLoop.name() + "_" + halideVars[j].name());
      f.fuse(rowLoop, halideVars[j], fused);
      rowLoop = fused;
    }
    // A few tasks per thread: claiming each of thousands of short rows would cost more than it runs.
    int64_t rowCount = 1;
    for (size_t j = firstRow; j < rank; ++j) rowCount *= outBuffer.dim(static_cast<int>(j)).extent();
    int64_t tasks = std::min<int64_t>(rowCount, 8 * std::max(1, target.threads));
    if (target.threads > 1 && tasks > 1) {
      Halide::Var task(rowLoop.name() + "_task"), rowInTask(rowLoop.name() + "_row");
      f.split(rowLoop, task, rowInTask, static_cast<int>((rowCount + tasks - 1) / tasks), Halide::TailStrategy::GuardWithIf);
      f.parallel(task);
      rowLoop = rowInTask;
    }
    lowering.schedule(f, rowLoop);
  } else {
    std::vector<int64_t> shape;
    for (int d : order) shape.push_back(box->extents[static_cast<size_t>(d)]);
    scheduleDense(f, halideVars, shape, lanes);
    lowering.schedule(f, std::nullopt);
  }
  placeOutput(f, outBuffer);
  if (std::getenv("CONFLUX_DEBUG_HALIDE")) f.print_loop_nest();
  const std::string name = kernel.name + "_" + writeEdge.srcConn;
  return {kernel.name, {}, library.add(Halide::Pipeline(f), outBuffer, name)};
}

}  // namespace conflux::targets::cpu
