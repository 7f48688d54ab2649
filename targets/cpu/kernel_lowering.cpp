#include "targets/cpu/kernel_lowering.h"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <map>

#include "ir/error.h"
#include "passes/halo_tiling.h"
#include "passes/kernel_patterns.h"
#include "passes/loop_nest_traffic.h"
#include "passes/map_patterns.h"
#include "targets/cpu/attention_lowering.h"
#include "targets/cpu/border_steps.h"
#include "targets/cpu/buffer_views.h"
#include "targets/cpu/cache_local.h"
#include "targets/cpu/dense_write.h"
#include "targets/cpu/halide_expr.h"
#include "targets/cpu/module_key.h"
#include "targets/cpu/row_kernel_lowering.h"
#include "targets/cpu/schedules.h"
#include "targets/cpu/tasklet_inputs.h"

namespace conflux::targets::cpu {
namespace {

using Halide::Expr;
using ir::EdgeId;
using ir::NodeId;

/// The tasklet of a kernel that is a map around one tasklet, or a lone tasklet.
NodeId kernelTasklet(const ir::State& state, const passes::Kernel& kernel,
                     const std::string& where) {
  std::vector<NodeId> tasklets;
  for (NodeId id : kernel.nodes)
    if (state.node(id).kind() == ir::NodeKind::Tasklet) tasklets.push_back(id);
  bool shaped = state.node(kernel.root).kind() == ir::NodeKind::MapEntry ? kernel.nodes.size() == 3
                                                                         : kernel.nodes.size() == 1;
  if (tasklets.size() != 1 || !shaped)
    throw Error(where + ": the cpu target lowers a map around one tasklet; this kernel has " +
                std::to_string(kernel.nodes.size()) + " nodes");
  return tasklets.front();
}




/// `subset` with its ranges in `order` (outermost first).
ir::Subset inOrder(const ir::Subset& subset, const std::vector<int>& order) {
  ir::Subset permuted;
  for (int d : order) permuted.ranges.push_back(subset.ranges[static_cast<size_t>(d)]);
  return permuted;
}


}  // namespace

void LoweredKernel::load() {
  for (PackedOperand& pack : packs)
    if (pack.once()) pack.fill();
}

void LoweredKernel::run() {
  for (PackedOperand& pack : packs)
    if (!pack.once()) pack.fill();
  pipeline->run();
}

namespace {

/// `value` made to read the reduction `domain`: Halide runs an update over the reduction
/// variables it uses only, so one reading none of them (a sum of a constant) would run once.
/// The select of equal branches names the first variable and simplifies away.
Expr readingDomain(const Expr& value, const Halide::RDom& domain) {
  for (int i = 0; i < domain.dimensions(); ++i)
    if (Halide::Internal::expr_uses_var(value, domain[i].name())) return value;
  return Halide::select(domain[0] >= 0, value, value);
}

/// What one pipeline computes: the tasklet writing the output, over the map whose parameters
/// index it, and — for a nested reduction kernel — the reduction feeding it.
struct OutputPlan {
  ir::Map space;  // empty for a lone tasklet
  NodeId outputTasklet;
  ir::Edge writeEdge;
  std::optional<passes::NestedReduction> nested;
};




/// How the point reads of `tasklet` depend on each dimension of an output written densely by
/// `box`, the dimensions in Halide order of memory (`order`: logical dimensions outermost
/// first): which reads move with the dimension's parameter, whether one steps by more than one
/// element (vector lanes along it would gather, from the array or a packed copy; so would lanes
/// along a dimension of merged parameters), whether lanes along it would need a packed copy
/// of an operand that is no constant, and whether every read moving with it is a constant.
OperandUse operandUse(const ir::Graph& graph, const ir::State& state, NodeId tasklet,
                      const DenseWrite& box, const std::vector<int>& order,
                      const ArrayLookup& arrays) {
  size_t rank = order.size();
  OperandUse use{std::vector<std::vector<size_t>>(rank), std::vector<bool>(rank, false),
                 std::vector<bool>(rank, false), std::vector<bool>(rank, true)};
  std::vector<EdgeId> reads = state.inEdges(tasklet);
  for (size_t dim = 0; dim < rank; ++dim) {
    std::string param = box.soleParam(static_cast<size_t>(order[rank - 1 - dim]));
    if (param.empty()) {  // merged digits (a transposed convolution's 2h + a): lanes would gather
      use.strided[dim] = true;
      continue;
    }
    for (size_t r = 0; r < reads.size(); ++r) {
      const ir::Memlet& read = state.edge(reads[r]).memlet;
      if (read.isEmpty()) continue;
      if (stridedDimension(read.subset, param, graph.array(read.data).layout) &&
          !arrays(read.data).isConstant())
        use.packsPerRun[dim] = true;
      for (const ir::Range& range : read.subset.ranges) {
        int64_t step = std::abs(range.begin.coefficient(param));
        if (step == 0) continue;
        if (!std::count(use.reads[dim].begin(), use.reads[dim].end(), r))
          use.reads[dim].push_back(r);
        if (!arrays(read.data).isConstant()) use.constantsOnly[dim] = false;
        if (step > 1) use.strided[dim] = true;
      }
    }
  }
  return use;
}

/// The dimensions of a read with `subset` other than `excluded`, in the order the reduction
/// loops over `reductionParams` (innermost first) walk them: by the innermost parameter that
/// moves each, those no parameter moves last, ties in the array's own order (innermost first).
std::vector<size_t> loopNesting(const ir::Subset& subset, size_t excluded,
                                const std::vector<std::string>& reductionParams) {
  std::vector<std::pair<size_t, size_t>> keyed;  // (loop depth, reversed dimension)
  for (size_t k = 0; k < subset.rank(); ++k) {
    if (k == excluded) continue;
    size_t depth = reductionParams.size();
    for (size_t i = 0; i < reductionParams.size() && depth == reductionParams.size(); ++i)
      if (subset.ranges[k].begin.coefficient(reductionParams[i]) != 0) depth = i;
    keyed.emplace_back(depth, subset.rank() - 1 - k);
  }
  std::sort(keyed.begin(), keyed.end());
  std::vector<size_t> nesting;
  for (const auto& [depth, reversed] : keyed) nesting.push_back(subset.rank() - 1 - reversed);
  return nesting;
}

/// The cache model (passes::loopNestTraffic) of loops over tiles of an output written densely
/// by `box` (Halide dimension k is logical dimension order[rank - 1 - k]) whose tasklet `tasklet`
/// runs over the parameters of `scopes`: its reads and the output `write` move.
TileTraffic tileTraffic(const ir::Graph& graph, const ir::State& state, NodeId tasklet,
                        const ir::Memlet& write, const std::vector<const ir::Map*>& scopes,
                        const DenseWrite& box, const std::vector<int>& order) {
  ir::Map space;
  for (const ir::Map* map : scopes) {
    space.params.insert(space.params.end(), map->params.begin(), map->params.end());
    space.ranges.ranges.insert(space.ranges.ranges.end(), map->ranges.ranges.begin(), map->ranges.ranges.end());
  }
  std::vector<passes::NestOperand> operands;
  auto add = [&](const ir::Memlet& m) {
    if (!m.isEmpty()) operands.push_back({m.subset, ir::dtypeBytes(graph.array(m.data).dtype)});
  };
  for (EdgeId e : state.inEdges(tasklet)) add(state.edge(e).memlet);
  add(write);
  std::vector<std::string> params;  // by Halide dimension; empty where none moves alone
  std::vector<int64_t> extents;
  for (size_t k = 0; k < order.size(); ++k) {
    auto logical = static_cast<size_t>(order[order.size() - 1 - k]);
    params.push_back(box.soleParam(logical));
    extents.push_back(box.extents[logical]);
  }
  return [space, operands, params, extents](const std::vector<TileLoop>& loops, int64_t cacheBytes,
                                            int threads) -> std::optional<double> {
    std::vector<passes::NestLoop> nest;
    for (const TileLoop& loop : loops) {
      if (params[loop.dim].empty() && extents[loop.dim] == 1) continue;  // a loop of one iteration
      if (params[loop.dim].empty()) return std::nullopt;
      nest.push_back({params[loop.dim], loop.step});
    }
    return passes::loopNestTraffic(space, nest, operands, cacheBytes, threads);
  };
}

/// The widest window (a convolution's kernel columns) unrolled inside a tile.
constexpr int32_t kWidestWindow = 7;

/// The reduction dimension (index into `reductionParams`, whose (begin, count) are `extents`) of
/// at most kWidestWindow steps that slides along the output parameter `param` in a read of
/// `tasklet` — a convolution's window columns along its output columns (x[.., w + kw, ..]) — if any.
std::optional<int> windowAlong(const ir::State& state, NodeId tasklet, const std::string& param,
                               const std::vector<std::string>& reductionParams,
                               const std::vector<std::pair<int32_t, int32_t>>& extents) {
  if (param.empty()) return std::nullopt;
  for (EdgeId e : state.inEdges(tasklet))
    for (const ir::Range& r : state.edge(e).memlet.subset.ranges)
      if (r.begin.coefficient(param) != 0)
        for (size_t i = 0; i < reductionParams.size(); ++i)
          if (r.begin.coefficient(reductionParams[i]) != 0)
            return extents[i].second <= kWidestWindow ? std::optional<int>(static_cast<int>(i)) : std::nullopt;
  return std::nullopt;
}

/// Orders the reduction parameters of an associative reduction by the smallest step each takes
/// through the elements of a point read of `tasklet` that changes each run, then of any point
/// read, smallest first (innermost loop): a convolution walks its window's columns, then rows,
/// then input channels, as a row-major input stores them — or the input channels first when
/// its input is channels-last (its weights, read from a packed copy, follow).
void innermostByStride(const ir::Graph& graph, const ir::State& state, NodeId tasklet,
                       const ArrayLookup& arrays, std::vector<std::string>& params) {
  constexpr int64_t kNone = std::numeric_limits<int64_t>::max();
  std::map<std::string, std::pair<int64_t, int64_t>> step;  // (activations, all reads)
  for (const std::string& p : params) step[p] = {kNone, kNone};
  for (EdgeId e : state.inEdges(tasklet)) {
    const ir::Memlet& read = state.edge(e).memlet;
    if (read.isEmpty() || !passes::isPoint(read.subset)) continue;
    const ir::DataDesc& desc = graph.array(read.data);
    bool activation = !arrays(read.data).isConstant();
    std::vector<int64_t> strides = desc.layout.strides(desc.shape);
    for (size_t k = 0; k < read.subset.rank(); ++k)
      for (auto& [p, smallest] : step)
        if (int64_t c = std::abs(read.subset.ranges[k].begin.coefficient(p))) {
          if (activation) smallest.first = std::min(smallest.first, c * strides[k]);
          smallest.second = std::min(smallest.second, c * strides[k]);
        }
  }
  std::stable_sort(params.begin(), params.end(),
                   [&](const std::string& a, const std::string& b) { return step[a] < step[b]; });
}

/// The box a dense write fills: (offset, extent) per logical dimension.
std::vector<std::pair<int64_t, int64_t>> written(const DenseWrite& box) {
  std::vector<std::pair<int64_t, int64_t>> extents;
  for (size_t d = 0; d < box.offsets.size(); ++d) extents.emplace_back(box.offsets[d], box.extents[d]);
  return extents;
}

/// How a producer of a cache-local array is defined: scheduled as a kernel of its own would be
/// (scheduleProducers places it), element-wise values left to be inlined, and, with `outside`,
/// over the whole array: those values beyond its own box.
struct ProducerRole {
  const MemoryOrderValues* outside = nullptr;
};

/// Defines and schedules the function computing one output of a kernel (`plan`), not yet
/// compiled; a producer's (`producer`) as ProducerRole says.
DefinedOutput defineOutput(const ir::Graph& graph, const passes::Kernel& kernel, const OutputPlan& plan,
                           const ArrayLookup& arrays, PipelineLibrary& library, const ir::TargetDesc& target,
                           const std::string& where, std::optional<ProducerRole> producer = std::nullopt) {
  const ir::State& state = graph.state(kernel.state);
  const ir::Memlet& write = plan.writeEdge.memlet;
  const ir::DataDesc& out = graph.array(write.data);
  Halide::Buffer<> outBuffer = arrays(write.data).buffer(where);
  const ir::Map& map = plan.space;
  const std::optional<passes::NestedReduction>& nested = plan.nested;

  std::optional<DenseWrite> box = denseWrite(write.subset, map, out.shape);
  if (nested && !box)
    throw Error(where + ": the nested reduction does not write one element per iteration");
  bool dense = box.has_value();
  std::vector<std::string> pureParams = box ? box->params() : std::vector<std::string>{};
  // What the kernel computes: its box of the output (the whole output when not dense).
  std::vector<int64_t> region = box ? box->extents : out.shape;
  if (box) outBuffer = boxView(outBuffer, box->offsets, box->extents);
  // The output is computed in its memory order: Halide dimension 0 is its unit-stride
  // dimension, whatever its layout, and `shape` lists the region's extents outermost first.
  const std::vector<int>& order = out.layout.order;
  outBuffer = memoryOrderView(outBuffer, order);
  std::vector<int64_t> shape;
  for (int d : order) shape.push_back(region[static_cast<size_t>(d)]);
  // The pipeline's name, and the output's values before it for kernels that update the output
  // (in memory order too).
  const std::string name = kernel.name + "_" + plan.writeEdge.srcConn;
  auto prior = [&] {
    if (producer) throw Error(where + ": a cache-local array's producer updates it");
    return library.bind(name + "_prior", outBuffer);
  };
  // Reduction parameters: the nested map's, or those of the flat map that the write omits.
  const ir::Map& reductionMap = nested ? state.mapOf(nested->innerEntry) : map;
  std::vector<std::string> reductionParams;
  for (const std::string& p : reductionMap.params)
    if (nested || !std::count(pureParams.begin(), pureParams.end(), p))
      reductionParams.push_back(p);
  ir::Wcr wcr = nested ? nested->wcr : write.wcr;
  if (!nested && write.wcr == ir::Wcr::None && !reductionParams.empty()) dense = false;
  if (!dense) reductionParams = map.params;
  // The value each iteration contributes (the reduction's tasklet, or the only one).
  NodeId valueTasklet = nested ? nested->reduceTasklet : plan.outputTasklet;
  if (dense && wcr != ir::Wcr::None)
    innermostByStride(graph, state, valueTasklet, arrays, reductionParams);

  // Pure variables, Halide order (innermost first); reduction parameters over an RDom.
  std::vector<Halide::Var> vars;
  for (size_t k = 0; k < out.shape.size(); ++k)
    vars.emplace_back("d" + std::to_string(out.shape.size() - 1 - k));
  std::reverse(vars.begin(), vars.end());  // vars[k] indexes row-major dimension k
  // Each written parameter as a digit of its output index.
  std::map<std::string, Expr> pure = dense ? paramsAt(*box, vars) : std::map<std::string, Expr>{};
  // A producer spanning its whole array computes its border from the values at the box's edge.
  if (producer && producer->outside && box) clampIntoBox(pure, vars, written(*box));
  std::map<std::string, Expr> params = pure;
  std::vector<std::pair<int32_t, int32_t>> extents;  // begin, count
  std::vector<int64_t> steps;
  for (const std::string& p : reductionParams) {
    size_t index =
        static_cast<size_t>(std::find(reductionMap.params.begin(), reductionMap.params.end(), p) -
                            reductionMap.params.begin());
    const ir::Range& r = reductionMap.ranges.ranges[index];
    std::optional<int64_t> begin = r.begin.constantValue(), end = r.end.constantValue();
    if (!begin || !end) throw Error(where + ": map ranges must be constant");
    extents.emplace_back(static_cast<int32_t>(*begin),
                         static_cast<int32_t>((*end - *begin) / r.step + 1));
    steps.push_back(r.step);
  }
  bool needsDomain = !dense || !reductionParams.empty();
  if (needsDomain && extents.empty()) extents.emplace_back(0, 1);  // a lone tasklet runs once
  Halide::RDom domain;
  if (needsDomain) {
    std::vector<Halide::Range> ranges;
    for (const auto& [begin, count] : extents) ranges.emplace_back(0, count);
    domain = Halide::RDom(ranges, kernel.name + "_r");
    for (size_t i = 0; i < reductionParams.size(); ++i)
      params[reductionParams[i]] =
          extents[i].first + static_cast<int32_t>(steps[i]) * domain[static_cast<int>(i)];
  }

  int lanes = vectorLanes(target, storageType(out.dtype));
  std::optional<Tile> tile = contractionTile(
      dense, wcr, !reductionParams.empty(), shape,
      box ? operandUse(graph, state, valueTasklet, *box, order, arrays) : OperandUse{}, lanes);
  // The logical dimension of each Halide dimension.
  auto logical = [&](size_t halideDim) {
    return static_cast<size_t>(order[order.size() - 1 - halideDim]);
  };
  // The Halide dimension and width of the vector loop over the output: a tile's, or an
  // accumulator's (whose operands are packed only when constant: once, at load).
  std::optional<size_t> vectorDim = tile ? std::optional<size_t>(tile->vector) : std::nullopt;
  int vectorLanes = tile ? tile->lanes : lanes;
  if (!tile && dense && !reductionParams.empty()) vectorDim = accumulatorLanes(shape, lanes);
  std::vector<PackedOperand> packs;
  PackRead pack = [&](const ir::Memlet& memlet,
                      const std::vector<Expr>& indices) -> std::optional<Expr> {
    const ir::DataDesc& desc = graph.array(memlet.data);
    if (!vectorDim || desc.dtype == ir::DType::Bool || (!tile && !arrays(memlet.data).isConstant()))
      return std::nullopt;
    std::string param = box->soleParam(logical(*vectorDim));
    if (param.empty()) return std::nullopt;
    int64_t extent = region[logical(*vectorDim)];
    int columns = tile ? packedColumns(*tile, extent, region[logical(tile->rows)] == 1)
                       : tileColumns(extent, vectorLanes);
    std::optional<size_t> strided = stridedDimension(memlet.subset, param, desc.layout);
    // A constant a tile reads along its unit-stride dimension is packed too when the tile's
    // columns are a narrower panel of it (a GEMM's B, as GotoBLAS packs it): its rows would be
    // a whole array row apart, each in the same few L1 sets; packed, the panel streams. So is
    // one a padded tile reads past its end (B of 24 columns): the packed copy has the zeros.
    size_t unit = static_cast<size_t>(desc.layout.innermost());
    bool pastEnd = tile && tile->padded && desc.shape[unit] < columns;
    if (!strided && tile && arrays(memlet.data).isConstant() &&
        (desc.shape[unit] > columns || pastEnd) &&
        memlet.subset.ranges[unit].begin.coefficient(param) == 1)
      strided = unit;
    if (!strided) return std::nullopt;
    bool padded = tile && tile->padded && desc.shape[*strided] < columns;
    packs.emplace_back(arrays(memlet.data), storageType(desc.dtype), desc.shape, desc.layout,
                       *strided, columns, padded, loopNesting(memlet.subset, *strided, reductionParams),
                       kernel.name + "_packed" + std::to_string(packs.size()), library,
                       vectorLanes);
    return packs.back()(std::vector<Expr>(indices.rbegin(), indices.rend()));
  };

  Halide::Type valueType = storageType(nested ? graph.array(nested->accumulator).dtype : out.dtype);
  ExprScope scope = bindInputs(graph, state, valueTasklet, params, arrays, pack, {}, where);
  Expr value = Halide::cast(
      valueType,
      toHalide(outputExpr(state, valueTasklet, nested ? "" : plan.writeEdge.srcConn), scope));
  if (std::getenv("CONFLUX_DEBUG_HALIDE")) std::cerr << where << ": " << value << "\n";

  Halide::Func f(uniqueFuncName(name));
  std::vector<Halide::Var> halideVars;
  for (size_t j = 0; j < vars.size(); ++j) halideVars.push_back(vars[logical(j)]);
  std::vector<Expr> at(halideVars.begin(), halideVars.end());
  // The value f takes at `halideVars`: a producer spanning its whole array takes `outside`'s
  // beyond its box.
  auto spanned = [&](const Expr& inBox) {
    if (!producer || !producer->outside) return inBox;
    if (!box) throw Error(where + ": a cache-local array's producer scatters");
    return spanWholeArray(inBox, halideVars, written(*box), out.layout, *producer->outside);
  };
  // Steps reading only a constant border that leaves the reduction unchanged (a convolution's
  // taps on its zero padding) are skipped, where the condition sits outside the loops unrolled
  // or vectorised inside the reduction.
  if (dense && needsDomain) {
    std::vector<std::string> inner;
    if (vectorDim) inner.push_back(box->soleParam(logical(*vectorDim)));
    if (tile) inner.push_back(box->soleParam(logical(tile->rows)));
    if (std::optional<Expr> inside =
            stepsInsideBorders(graph, state, valueTasklet, nested ? "" : plan.writeEdge.srcConn, wcr, valueType,
                               params, reductionParams, inner, arrays, where))
      domain.where(*inside);
  }
  std::optional<ThreadedLoop> threaded;
  bool inlined = false;
  if (dense && reductionParams.empty()) {
    f(halideVars) = spanned(value);
    inlined = producer.has_value();
    if (!producer) scheduleDense(f, halideVars, shape, lanes);
  } else if (dense) {
    // acc starts at the init value (a flat kernel's: the output's current value), combines the
    // values of every reduction iteration, and the output is the epilogue over it. A padded
    // tile's accumulators run past the output's end: their init reads its last column there.
    auto initAt = [&](Expr init) {
      if (!tile || !tile->padded) return init;
      const Halide::Var& x = halideVars[tile->vector];
      size_t dim = logical(tile->vector);
      auto last = static_cast<int32_t>(box->offsets[dim] + region[dim] - 1);
      return Halide::Internal::substitute(x.name(), Halide::min(x, last), init);
    };
    Halide::Func acc(uniqueFuncName(kernel.name + "_acc"));
    Expr result;
    if (nested) {
      ExprScope initScope =
          bindInputs(graph, state, nested->initTasklet, pure, arrays, {}, {}, where);
      acc(halideVars) = initAt(
          Halide::cast(valueType, toHalide(outputExpr(state, nested->initTasklet, ""), initScope)));
      ExprScope epilogue = bindInputs(graph, state, plan.outputTasklet, pure, arrays, {},
                                      {{nested->accumulator, acc(at)}}, where);
      result = Halide::cast(storageType(out.dtype),
                            toHalide(outputExpr(state, plan.outputTasklet, ""), epilogue));
    } else {
      acc(halideVars) = initAt(prior()(at));
      result = acc(at);
    }
    acc(at) = combine(wcr, acc(at), readingDomain(value, domain));
    f(halideVars) = spanned(result);
    if (tile) {
      std::vector<const ir::Map*> scopes{&map};
      if (nested) scopes.push_back(&reductionMap);
      threaded = scheduleTile(f, acc, halideVars, *tile, shape, domain, std::max(1, target.threads),
                              CacheBudget::of(target), tileTraffic(graph, state, valueTasklet, write, scopes, *box, order),
                              windowAlong(state, valueTasklet, box->soleParam(logical(tile->rows)), reductionParams, extents));
    } else {
      threaded = scheduleAccumulator(f, acc, halideVars, shape, domain, lanes, std::max(1, target.threads));
    }
  } else {
    ir::Subset written = inOrder(write.subset, order);
    std::vector<Expr> lhs;
    for (auto r = written.ranges.rbegin(); r != written.ranges.rend(); ++r)
      lhs.push_back(toHalide(r->begin, params));
    if (producer) throw Error(where + ": a cache-local array's producer scatters");
    f(halideVars) = prior()(at);
    f(lhs) = combine(write.wcr, f(lhs), value);
    scheduleDense(f, halideVars, shape, lanes);
    scheduleScatter(f, domain, reductionParams, written, write.wcr, lanes);
  }

  std::string threadedParam = threaded && box ? box->soleParam(logical(threaded->dim)) : "";
  return {f, outBuffer, name, std::move(packs), threaded, threadedParam, inlined,
          box ? std::optional(written(*box)) : std::nullopt};
}

/// Compiles a defined output into a pipeline writing its array in place.
LoweredKernel emitOutput(const passes::Kernel& kernel, DefinedOutput output, PipelineLibrary& library) {
  placeOutput(output.func, output.buffer);
  if (std::getenv("CONFLUX_DEBUG_HALIDE")) output.func.print_loop_nest();
  std::shared_ptr<const NativePipeline> pipeline =
      library.add(Halide::Pipeline(output.func), output.buffer, output.name);
  return {kernel.name, std::move(output.packs), pipeline};
}

/// One plan per output of a kernel: a nested reduction has one; a map around one tasklet (or a
/// lone tasklet) has one per output of the tasklet (Dropout's output and mask).
std::vector<OutputPlan> outputPlans(const ir::State& state, const passes::Kernel& kernel,
                                    const std::string& where) {
  std::vector<OutputPlan> plans;
  ir::Map space;
  if (const auto* entry = std::get_if<ir::MapEntry>(&state.node(kernel.root).payload))
    space = entry->map;
  if (std::optional<passes::NestedReduction> nested = passes::nestedReduction(state, kernel)) {
    plans.push_back({space, nested->epilogueTasklet,
                     state.edge(state.outEdges(nested->epilogueTasklet).front()), nested});
    return plans;
  }
  NodeId tasklet = kernelTasklet(state, kernel, where);
  for (EdgeId e : state.outEdges(tasklet))
    plans.push_back({space, tasklet, state.edge(e), std::nullopt});
  return plans;
}

/// Lowers a kernel with producers. Per cache-local array: the producers that fill constants
/// (no reads) are defined first, inlined; the one that computes is defined over the whole
/// array with their values around its box, and computed per tile of the kernel, which reads
/// it. Several computing producers are read each in its box, by selects.
LoweredKernel lowerWithProducers(const ir::Graph& graph, const passes::Kernel& kernel, const ArrayLookup& arrays,
                                 PipelineLibrary& library, const ir::TargetDesc& target, const std::string& where) {
  const ir::State& state = graph.state(kernel.state);
  struct Writer {
    const passes::Kernel* kernel;
    OutputPlan plan;
    std::string where;
  };
  std::map<std::string, std::pair<std::vector<Writer>, std::vector<Writer>>> writers;  // (fills, computing)
  for (const passes::Kernel& producer : kernel.producers) {
    std::string at = "kernel " + producer.name + " (" + state.node(producer.root).describe() + ")";
    if (!producer.producers.empty())
      throw Error(at + ": the cpu target computes one level of cache-local arrays; this producer reads one too");
    std::vector<OutputPlan> plans = outputPlans(state, producer, at);
    if (plans.size() != 1) throw Error(at + ": a cache-local array's producer writes one output");
    auto& [fills, computing] = writers[plans.front().writeEdge.memlet.data];
    (producer.reads.empty() ? fills : computing).push_back({&producer, plans.front(), at});
  }
  std::vector<DefinedOutput> producers;
  producers.reserve(kernel.producers.size());
  std::map<std::string, ArraySource> computed;
  auto define = [&](const Writer& w, const MemoryOrderValues* outside) -> const DefinedOutput* {
    producers.push_back(defineOutput(graph, *w.kernel, w.plan, arrays, library, target, w.where, ProducerRole{outside}));
    return &producers.back();
  };
  for (const auto& [array, roles] : writers) {
    const auto& [fills, computing] = roles;
    const ir::Layout& layout = graph.array(array).layout;
    std::vector<const DefinedOutput*> filled;
    for (const Writer& w : fills) filled.push_back(define(w, nullptr));
    MemoryOrderValues values;
    if (computing.size() == 1) {
      MemoryOrderValues around = filled.empty() ? MemoryOrderValues{} : valuesInBoxes(filled, layout, where);
      Halide::Func whole = define(computing.front(), filled.empty() ? nullptr : &around)->func;
      values = [whole](const std::vector<Halide::Expr>& at) { return whole(at); };
    } else {
      for (const Writer& w : computing) filled.insert(filled.begin(), define(w, nullptr));
      values = valuesInBoxes(filled, layout, where);
    }
    computed.emplace(array, ArraySource(readInMemoryOrder(values, layout), arrays(array).buffer(where)));
  }
  ArrayLookup withValues = [&](const std::string& array) {
    auto it = computed.find(array);
    return it != computed.end() ? it->second : arrays(array);
  };
  std::vector<OutputPlan> plans = outputPlans(state, kernel, where);
  if (plans.size() != 1) throw Error(where + ": a kernel that reads cache-local arrays writes one output");
  DefinedOutput output = defineOutput(graph, kernel, plans.front(), withValues, library, target, where);
  bool alongRows = !output.threadedParam.empty() &&
                   std::all_of(writers.begin(), writers.end(), [&](const auto& entry) {
                     return passes::readsRowBands(graph, kernel, entry.first, output.threadedParam);
                   });
  scheduleProducers(output, producers, std::max(1, target.threads), alongRows);
  for (DefinedOutput& producer : producers)
    for (PackedOperand& pack : producer.packs) output.packs.push_back(std::move(pack));
  return emitOutput(kernel, std::move(output), library);
}

}  // namespace

std::vector<LoweredKernel> lowerKernel(const ir::Graph& graph, const passes::Kernel& kernel,
                                       const ArrayLookup& arrays, PipelineLibrary& library,
                                       const ir::TargetDesc& target) {
  const ir::State& state = graph.state(kernel.state);
  const std::string where =
      "kernel " + kernel.name + " (" + state.node(kernel.root).describe() + ")";
  std::vector<LoweredKernel> lowered;
  try {
    if (!kernel.producers.empty()) {
      lowered.push_back(lowerWithProducers(graph, kernel, arrays, library, target, where));
      return lowered;
    }
    if (std::optional<passes::AttentionKernel> attention = passes::attentionKernel(state, kernel)) {
      lowered.push_back(lowerAttentionKernel(graph, kernel, *attention, arrays, library, target, where));
      return lowered;
    }
    if (std::optional<passes::RowKernel> row = passes::rowKernel(state, kernel)) {
      lowered.push_back(lowerRowKernel(graph, kernel, *row, arrays, library, target, where));
      return lowered;
    }
    for (const OutputPlan& plan : outputPlans(state, kernel, where))
      lowered.push_back(emitOutput(kernel, defineOutput(graph, kernel, plan, arrays, library, target, where), library));
  } catch (const Halide::Error& e) {
    throw Error(where + ": Halide rejected the kernel: " + e.what());
  }
  return lowered;
}

}  // namespace conflux::targets::cpu
