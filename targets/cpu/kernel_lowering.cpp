#include "targets/cpu/kernel_lowering.h"

#include <algorithm>
#include <cstdlib>
#include <iostream>

#include "ir/error.h"
#include "targets/cpu/halide_expr.h"

namespace conflux::targets::cpu {
namespace {

using Halide::Expr;
using ir::EdgeId;
using ir::NodeId;

/// The tasklet of a kernel that is a map around one tasklet, or a lone tasklet.
NodeId kernelTasklet(const ir::State& state, const passes::Kernel& kernel, const std::string& where) {
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

/// Element `rowMajor` of a buffer (Halide's dimension 0 is the innermost, our last).
Expr element(const Halide::Buffer<>& buffer, std::vector<Expr> rowMajor, ir::DType dtype) {
  std::reverse(rowMajor.begin(), rowMajor.end());
  Expr value = buffer(rowMajor);
  return dtype == ir::DType::Bool ? value != Halide::cast(value.type(), 0) : value;
}

/// A dense write: output index k is map parameter pureParams[k] plus offsets[k] (distinct
/// parameters, each ranging over 0..extents[k]-1 inside the array): the kernel fills the box at
/// `offsets` of size `extents` (all of the array, or one piece of a Concat).
struct DenseWrite {
  std::vector<std::string> pureParams;
  std::vector<int64_t> offsets;
  std::vector<int64_t> extents;
};

std::optional<DenseWrite> denseWrite(const ir::Subset& write, const ir::Map& map, const std::vector<int64_t>& shape) {
  DenseWrite dense;
  for (size_t k = 0; k < write.rank(); ++k) {
    const ir::Range& r = write.ranges[k];
    if (!(r.begin == r.end) || r.begin.terms().size() != 1) return std::nullopt;
    const auto& [name, coefficient] = *r.begin.terms().begin();
    auto it = std::find(map.params.begin(), map.params.end(), name);
    if (coefficient != 1 || it == map.params.end()) return std::nullopt;
    const ir::Range& range = map.ranges.ranges[static_cast<size_t>(it - map.params.begin())];
    std::optional<int64_t> end = range.end.constantValue();
    int64_t offset = r.begin.constant();
    if (!(range.begin == ir::AffineExpr(0)) || !end || range.step != 1 || offset < 0 || offset + *end >= shape[k])
      return std::nullopt;
    if (std::count(dense.pureParams.begin(), dense.pureParams.end(), name)) return std::nullopt;
    dense.pureParams.push_back(name);
    dense.offsets.push_back(offset);
    dense.extents.push_back(*end + 1);
  }
  return dense;
}

/// A view of the box at `offsets` (row-major) of size `extents` of a buffer, in the buffer's
/// coordinates: realizing into it computes and writes only the box.
Halide::Buffer<> boxView(const Halide::Buffer<>& buffer, const std::vector<int64_t>& offsets,
                         const std::vector<int64_t>& extents) {
  const halide_buffer_t* raw = buffer.raw_buffer();
  std::vector<halide_dimension_t> dims(raw->dim, raw->dim + raw->dimensions);
  auto* host = raw->host;
  size_t rank = offsets.size();
  for (size_t k = 0; k < rank; ++k) {
    halide_dimension_t& d = dims[rank - 1 - k];
    host += static_cast<int64_t>(d.stride) * (offsets[k] - d.min) * buffer.type().bytes();
    d.min = static_cast<int32_t>(offsets[k]);
    d.extent = static_cast<int32_t>(extents[k]);
  }
  return Halide::Buffer<>(buffer.type(), host, static_cast<int>(dims.size()), dims.data());
}

Expr combine(ir::Wcr wcr, const Expr& acc, const Expr& x) {
  bool isFloat = acc.type().is_float();
  auto nanOr = [&](const Expr& m) {
    return isFloat ? Halide::select(Halide::is_nan(acc) || Halide::is_nan(x), acc + x, m) : m;
  };
  switch (wcr) {
    case ir::Wcr::Sum: return acc.type().is_uint() ? (acc | x) : acc + x;
    case ir::Wcr::Product: return acc.type().is_uint() ? (acc & x) : acc * x;
    case ir::Wcr::Max: return nanOr(Halide::max(acc, x));
    case ir::Wcr::Min: return nanOr(Halide::min(acc, x));
    case ir::Wcr::None: return x;
  }
  return x;
}

Halide::Target jitTarget(const ir::TargetDesc& target) {
  static bool configured = [&] {
    // Halide's thread pool reads this once, at its first parallel loop.
    setenv("HL_NUM_THREADS", std::to_string(std::max(1, target.threads)).c_str(), 0);
    Halide::Target host = Halide::get_jit_target_from_environment();
    if (!host.has_feature(Halide::Target::AVX512))
      std::cerr << "conflux: warning: this machine has no AVX-512; the cpu target falls back to "
                << host.to_string() << "\n";
    return true;
  }();
  (void)configured;
  return Halide::get_jit_target_from_environment();
}

/// Vectorises the innermost (Halide dimension 0) variable, parallelises the outermost.
template <typename Stage>
void scheduleDense(Stage stage, const std::vector<Halide::Var>& vars, const std::vector<int64_t>& shape,
                   int lanes) {
  if (vars.empty()) return;
  if (shape.back() >= lanes / 2) stage.vectorize(vars.front(), lanes, Halide::TailStrategy::GuardWithIf);
  int64_t elements = 1;
  for (int64_t d : shape) elements *= d;
  if (vars.size() >= 2 && elements >= 4096) stage.parallel(vars.back());
}

}  // namespace

void LoweredKernel::run() { pipeline.realize(output); }

namespace {

/// Output tile of a contraction's register-blocked accumulator: kTileVectors vectors along the
/// innermost output dimension times up to kTileRows rows of the next one (16 of AVX-512's 32 zmm).
constexpr int kTileVectors = 2;
constexpr int kTileRows = 8;

/// The Halide dimensions (0 = innermost) of a contraction's register tile.
struct Tile {
  size_t vector;  // along the vector lanes
  size_t rows;    // unrolled rows
};

/// The tile of a contraction (a sum over map dimensions into an output of rank >= 2), or
/// nothing. Lanes run along a dimension that whole vectors fill — the innermost if it does,
/// else the widest (output channels of a convolution over a 28x28 image) — falling back to a
/// partly filled innermost one; rows along the innermost other dimension with more than one
/// element, if any.
std::optional<Tile> contractionTile(bool dense, ir::Wcr wcr, const std::vector<std::string>& reductionParams,
                                    const std::vector<int64_t>& shape, int lanes) {
  if (!dense || wcr != ir::Wcr::Sum || reductionParams.empty() || shape.size() < 2) return std::nullopt;
  size_t rank = shape.size();
  auto extent = [&](size_t halideDim) { return shape[rank - 1 - halideDim]; };
  // A reduction to one value per row (softmax's max and sum: [.., rows, 1]) is no contraction.
  if (extent(0) == 1) return std::nullopt;
  std::optional<size_t> vector;
  for (size_t k = 0; k < rank; ++k)
    if (extent(k) % lanes == 0 && (!vector || (*vector != 0 && extent(k) > extent(*vector)))) vector = k;
  if (!vector && extent(0) >= lanes) vector = 0;
  if (!vector) return std::nullopt;
  for (size_t k = 0; k < rank; ++k)
    if (k != *vector && extent(k) > 1) return Tile{*vector, k};
  return Tile{*vector, *vector == 0 ? size_t{1} : size_t{0}};  // a single row (Gemm of batch 1)
}

/// The fewest loop iterations one parallel task runs.
constexpr int64_t kMinTaskIterations = 1 << 15;

/// The extent of each RDom dimension, by parameter.
std::map<std::string, int> domainExtents(const Halide::RDom& domain, const std::vector<std::string>& params) {
  std::map<std::string, int> extents;
  for (size_t i = 0; i < params.size(); ++i)
    if (auto e = Halide::Internal::as_const_int(domain[static_cast<int>(i)].extent())) extents[params[i]] = static_cast<int>(*e);
  return extents;
}

/// Schedules a scatter update over `domain` (one RVar per entry of `params`, same order).
/// Lanes may run along a parameter that moves the innermost written index (lanes then write
/// distinct elements, strided when its coefficient is not 1); threads along a parameter that is alone in some written index (threads
/// then never write the same element). Everything else stays sequential, so the update is
/// race-free although Halide cannot prove it.
void scheduleScatter(Halide::Func& f, const Halide::RDom& domain, const std::vector<std::string>& params,
                     const ir::Subset& write, ir::Wcr wcr, int lanes) {
  if (params.empty() || write.rank() == 0) return;
  std::map<std::string, int> extents = domainExtents(domain, params);
  auto index = [&](const std::string& p) {
    return static_cast<int>(std::find(params.begin(), params.end(), p) - params.begin());
  };
  std::optional<std::string> vector, parallel;
  for (const auto& [p, coefficient] : write.ranges.back().begin.terms())
    if (coefficient != 0 && extents[p] >= lanes / 2 && (!vector || extents[p] > extents[*vector])) vector = p;
  for (const ir::Range& r : write.ranges)
    if (r.begin.terms().size() == 1) {
      const std::string& p = r.begin.terms().begin()->first;
      if (p != vector && extents.count(p) && extents[p] > 1 && (!parallel || extents[p] > extents[*parallel])) parallel = p;
    }
  // A plain write (no WCR) is not associative: Halide keeps its loop order, so lanes can only
  // run along the innermost RVar.
  if (wcr == ir::Wcr::None && vector && index(*vector) != 0) vector.reset();
  if (!vector && !parallel) return;
  std::vector<Halide::VarOrRVar> order;
  if (vector) order.emplace_back(domain[index(*vector)]);
  for (const std::string& p : params)
    if (p != vector && p != parallel) order.emplace_back(domain[index(p)]);
  if (parallel) order.emplace_back(domain[index(*parallel)]);
  Halide::Stage update = f.update();
  update.allow_race_conditions();
  if (wcr != ir::Wcr::None) update.reorder(order);
  if (vector) update.vectorize(domain[index(*vector)], lanes, Halide::TailStrategy::GuardWithIf);
  if (parallel) {
    // Tasks of at least kMinTaskIterations iterations, or the thread pool's overhead dominates.
    int64_t perValue = 1;
    for (const auto& [p, e] : extents)
      if (p != *parallel) perValue *= e;
    int taskSize = static_cast<int>(std::max<int64_t>(1, (kMinTaskIterations + perValue - 1) / perValue));
    if (taskSize < extents[*parallel]) update.parallel(domain[index(*parallel)], taskSize);
  }
}

/// Rows per tile: all of them when there are at most kTileRows, else the largest count from
/// kTileRows down to half of it that divides them (no guarded partial tiles), else kTileRows.
int tileRows(int64_t rows) {
  if (rows <= kTileRows) return static_cast<int>(rows);
  for (int r = kTileRows; r >= kTileRows / 2; --r)
    if (rows % r == 0) return r;
  return kTileRows;
}

/// The row-major dimension of a read whose index moves with `param` when it is not the
/// innermost one (the read would gather across vector lanes), or nothing.
std::optional<size_t> stridedDimension(const ir::Subset& read, const std::string& param) {
  if (read.rank() == 0 || read.ranges.back().begin.coefficient(param) != 0) return std::nullopt;
  for (size_t k = 0; k + 1 < read.rank(); ++k)
    if (read.ranges[k].begin.coefficient(param) != 0) return k;
  return std::nullopt;
}

/// A copy of an array stored with row-major dimension `inner` innermost, computed once per run
/// before the kernel: the packed operand of a contraction that would otherwise gather.
Halide::Func packedCopy(const Halide::Buffer<>& buffer, size_t rank, size_t inner, const std::string& name,
                        int lanes) {
  std::vector<Halide::Var> vars;  // Halide order: vars[0] is row-major dimension rank-1
  for (size_t k = 0; k < rank; ++k) vars.emplace_back(name + "_v" + std::to_string(k));
  Halide::Func packed(name);
  packed(vars) = buffer(std::vector<Expr>(vars.begin(), vars.end()));
  std::vector<Halide::Var> storage{vars[rank - 1 - inner]};
  for (size_t k = 0; k < rank; ++k)
    if (k != rank - 1 - inner) storage.push_back(vars[k]);
  // Written along its storage order (contiguous stores), read across the source's rows.
  std::vector<Halide::VarOrRVar> loops(storage.begin(), storage.end());
  packed.compute_root().reorder_storage(storage).reorder(loops);
  packed.vectorize(storage.front(), lanes, Halide::TailStrategy::GuardWithIf).parallel(storage.back());
  return packed;
}

/// Lowers the part of a kernel that computes one output of its tasklet (`writeEdge`).
LoweredKernel lowerOutput(const ir::Graph& graph, const passes::Kernel& kernel, NodeId taskletId,
                          const ir::Edge& writeEdge, const BufferLookup& buffers, const ir::TargetDesc& target,
                          const std::string& where) {
  const ir::State& state = graph.state(kernel.state);
  const auto& tasklet = std::get<ir::Tasklet>(state.node(taskletId).payload);
  const ir::Memlet& write = writeEdge.memlet;
  const ir::DataDesc& out = graph.array(write.data);
  Halide::Buffer<> outBuffer = buffers(write.data);

  ir::Map map;
  if (const auto* entry = std::get_if<ir::MapEntry>(&state.node(kernel.root).payload)) map = entry->map;
  std::optional<DenseWrite> box = denseWrite(write.subset, map, out.shape);
  bool dense = box.has_value();
  std::vector<std::string> pureParams = box ? box->pureParams : std::vector<std::string>{};
  // What the kernel computes: its box of the output (the whole output when not dense).
  std::vector<int64_t> region = box ? box->extents : out.shape;
  if (box) outBuffer = boxView(outBuffer, box->offsets, box->extents);
  std::vector<std::string> reductionParams;
  for (const std::string& p : map.params)
    if (!std::count(pureParams.begin(), pureParams.end(), p)) reductionParams.push_back(p);
  if (write.wcr == ir::Wcr::None && !reductionParams.empty()) dense = false;
  if (!dense) reductionParams = map.params;

  // Pure variables, Halide order (innermost first); reduction parameters over an RDom.
  std::vector<Halide::Var> vars;
  for (size_t k = 0; k < out.shape.size(); ++k) vars.emplace_back("d" + std::to_string(out.shape.size() - 1 - k));
  std::reverse(vars.begin(), vars.end());  // vars[k] indexes row-major dimension k
  std::map<std::string, Expr> params;
  if (dense)
    for (size_t k = 0; k < pureParams.size(); ++k) params[pureParams[k]] = vars[k] - static_cast<int32_t>(box->offsets[k]);
  std::vector<std::pair<Expr, Expr>> extents;
  for (const std::string& p : reductionParams) {
    const ir::Range& r = map.ranges.ranges[static_cast<size_t>(std::find(map.params.begin(), map.params.end(), p) -
                                                               map.params.begin())];
    std::optional<int64_t> begin = r.begin.constantValue(), end = r.end.constantValue();
    if (!begin || !end) throw Error(where + ": map ranges must be constant");
    extents.emplace_back(static_cast<int32_t>(*begin), static_cast<int32_t>((*end - *begin) / r.step + 1));
  }
  bool needsDomain = !dense || !reductionParams.empty();
  if (needsDomain && extents.empty()) extents.emplace_back(0, 1);  // a lone tasklet runs once
  Halide::RDom domain;
  if (needsDomain) {
    std::vector<Halide::Range> ranges;
    for (const auto& [begin, extent] : extents) ranges.emplace_back(0, extent);
    domain = Halide::RDom(ranges, kernel.name + "_r");
    for (size_t i = 0; i < reductionParams.size(); ++i) {
      const ir::Range& r = map.ranges.ranges[static_cast<size_t>(
          std::find(map.params.begin(), map.params.end(), reductionParams[i]) - map.params.begin())];
      params[reductionParams[i]] = extents[i].first + static_cast<int32_t>(r.step) * domain[static_cast<int>(i)];
    }
  }

  int lanes = std::max(1, target.vectorLanes * 32 / std::max(8, storageType(out.dtype).bits()));
  std::optional<Tile> tile = contractionTile(dense, write.wcr, reductionParams, region, lanes);
  std::vector<Halide::Func> packed;

  // The tasklet's inputs: single elements, or regions read through Load.
  ExprScope scope;
  for (const auto& [name, value] : params) scope.values[name] = value;
  std::map<std::string, ir::Memlet> regions;
  for (EdgeId e : state.inEdges(taskletId)) {
    const ir::Edge& edge = state.edge(e);
    if (edge.memlet.isEmpty()) continue;
    const ir::DataDesc& desc = graph.array(edge.memlet.data);
    bool point = std::all_of(edge.memlet.subset.ranges.begin(), edge.memlet.subset.ranges.end(),
                             [](const ir::Range& r) { return r.begin == r.end; });
    if (!point) {
      regions[edge.dstConn] = edge.memlet;
      continue;
    }
    std::vector<Expr> indices;
    for (const ir::Range& r : edge.memlet.subset.ranges) indices.push_back(toHalide(r.begin, params));
    std::optional<size_t> strided =
        tile ? stridedDimension(edge.memlet.subset, pureParams[out.shape.size() - 1 - tile->vector]) : std::nullopt;
    if (strided && desc.dtype != ir::DType::Bool) {
      packed.push_back(packedCopy(buffers(edge.memlet.data), desc.shape.size(), *strided,
                                  kernel.name + "_packed" + std::to_string(packed.size()), lanes));
      std::reverse(indices.begin(), indices.end());
      scope.values[edge.dstConn] = packed.back()(indices);
    } else {
      scope.values[edge.dstConn] = element(buffers(edge.memlet.data), indices, desc.dtype);
    }
  }
  scope.load = [&](const std::string& conn, const std::vector<Expr>& relative) {
    auto it = regions.find(conn);
    if (it == regions.end()) throw Error(where + ": Load of '" + conn + "', which is not a region");
    const ir::DataDesc& desc = graph.array(it->second.data);
    std::vector<Expr> indices;
    for (size_t k = 0; k < relative.size(); ++k) {
      // Clamped: an index outside the array is a bug the reference target reports; here it
      // must not read outside the buffer.
      Expr index = toHalide(it->second.subset.ranges[k].begin, params) + Halide::cast<int32_t>(relative[k]);
      indices.push_back(Halide::clamp(index, 0, static_cast<int32_t>(desc.shape[k] - 1)));
    }
    return element(buffers(it->second.data), indices, desc.dtype);
  };
  auto output = std::find_if(tasklet.outputs.begin(), tasklet.outputs.end(),
                             [&](const ir::TaskletOutput& o) { return o.name == writeEdge.srcConn; });
  Expr value = Halide::cast(storageType(out.dtype), toHalide(output->expr, scope));
  if (std::getenv("CONFLUX_DEBUG_HALIDE")) std::cerr << where << ": " << value << "\n";

  Halide::Func f(kernel.name + "_" + writeEdge.srcConn);
  std::vector<Halide::Var> halideVars(vars.rbegin(), vars.rend());
  std::vector<Expr> pure(halideVars.begin(), halideVars.end());
  if (tile) {
    // out += acc, with acc accumulated in registers per tile of rows x (kTileVectors * lanes).
    Halide::Func acc(kernel.name + "_acc");
    acc(halideVars) = Halide::cast(value.type(), 0);
    acc(pure) = acc(pure) + value;
    f(halideVars) = outBuffer(pure) + acc(pure);
    Halide::Var xo("xo"), xi("xi"), yo("yo"), yi("yi");
    const Halide::Var& x = halideVars[tile->vector];
    const Halide::Var& y = halideVars[tile->rows];
    const Halide::TailStrategy guard = Halide::TailStrategy::GuardWithIf;
    int64_t rows = region[region.size() - 1 - tile->rows];
    int rowsPerTile = tileRows(rows);
    int64_t columns = region[region.size() - 1 - tile->vector];
    int columnsPerTile = columns % (kTileVectors * lanes) == 0 ? kTileVectors * lanes : lanes;
    f.split(x, xo, xi, columnsPerTile, guard).split(y, yo, yi, rowsPerTile, guard);
    // Loops, innermost first: the tile, the other output dimensions, then all tiles in parallel.
    std::vector<Halide::VarOrRVar> loops{xi, yi};
    for (size_t k = 0; k < halideVars.size(); ++k)
      if (k != tile->vector && k != tile->rows) loops.emplace_back(halideVars[k]);
    // Threads split the rows of tiles, or the columns when there is only one row of tiles.
    bool oneRow = rows <= rowsPerTile;
    const Halide::Var& parallel = oneRow ? xo : yo;
    loops.emplace_back(oneRow ? yo : xo);
    loops.emplace_back(parallel);
    f.reorder(loops).parallel(parallel).vectorize(xi, lanes, guard).unroll(yi);
    // acc lives in registers for one tile; guarded like f, so that at the edges it neither
    // computes nor reads past the output.
    std::vector<Halide::Var> accStorage{x, y};
    for (size_t k = 0; k < halideVars.size(); ++k)
      if (k != tile->vector && k != tile->rows) accStorage.push_back(halideVars[k]);
    acc.compute_at(f, xo).reorder_storage(accStorage).vectorize(x, lanes, guard).unroll(y, rowsPerTile, guard);
    std::vector<Halide::VarOrRVar> order{x, y};
    for (int i = 0; i < domain.dimensions(); ++i) order.emplace_back(domain[i]);
    for (size_t k = 0; k < halideVars.size(); ++k)
      if (k != tile->vector && k != tile->rows) order.emplace_back(halideVars[k]);
    acc.update().reorder(order).vectorize(x, lanes, guard).unroll(y, rowsPerTile, guard);
  } else if (dense && reductionParams.empty()) {
    f(halideVars) = value;
    scheduleDense(f, halideVars, region, lanes);
  } else if (dense) {
    f(halideVars) = outBuffer(pure);
    f(pure) = combine(write.wcr, f(pure), value);
    std::vector<Halide::VarOrRVar> order;
    if (!halideVars.empty()) order.emplace_back(halideVars.front());
    for (int i = 0; i < domain.dimensions(); ++i) order.emplace_back(domain[i]);
    for (size_t k = 1; k < halideVars.size(); ++k) order.emplace_back(halideVars[k]);
    if (order.size() > 1) f.update().reorder(order);
    scheduleDense(f.update(), halideVars, region, lanes);
  } else {
    std::vector<Expr> lhs;
    for (const ir::Range& r : write.subset.ranges) lhs.push_back(toHalide(r.begin, params));
    std::reverse(lhs.begin(), lhs.end());
    f(halideVars) = outBuffer(pure);
    f(lhs) = combine(write.wcr, f(lhs), value);
    scheduleDense(f, halideVars, region, lanes);
    scheduleScatter(f, domain, reductionParams, write.subset, write.wcr, lanes);
  }

  Halide::Pipeline pipeline(f);
  pipeline.compile_jit(jitTarget(target));
  return {kernel.name, pipeline, outBuffer};
}

}  // namespace

std::vector<LoweredKernel> lowerKernel(const ir::Graph& graph, const passes::Kernel& kernel,
                                       const BufferLookup& buffers, const ir::TargetDesc& target) {
  const ir::State& state = graph.state(kernel.state);
  const std::string where = "kernel " + kernel.name + " (" + state.node(kernel.root).describe() + ")";
  NodeId tasklet = kernelTasklet(state, kernel, where);
  std::vector<LoweredKernel> lowered;
  // A tasklet with several outputs (Dropout's output and mask) becomes one pipeline per output.
  try {
    for (EdgeId e : state.outEdges(tasklet))
      lowered.push_back(lowerOutput(graph, kernel, tasklet, state.edge(e), buffers, target, where));
  } catch (const Halide::Error& e) {
    throw Error(where + ": Halide rejected the kernel: " + e.what());
  }
  return lowered;
}

}  // namespace conflux::targets::cpu
