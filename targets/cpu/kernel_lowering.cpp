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

/// True when write index k is map parameter params[k'] exactly, distinct per dimension, and the
/// map covers each output dimension from 0 to its end: the output is indexed by pure variables.
bool isProjection(const ir::Subset& write, const ir::Map& map, const std::vector<int64_t>& shape,
                  std::vector<std::string>& pureParams) {
  pureParams.clear();
  for (size_t k = 0; k < write.rank(); ++k) {
    const ir::Range& r = write.ranges[k];
    if (!(r.begin == r.end) || r.begin.terms().size() != 1 || r.begin.constant() != 0) return false;
    const auto& [name, coefficient] = *r.begin.terms().begin();
    auto it = std::find(map.params.begin(), map.params.end(), name);
    if (coefficient != 1 || it == map.params.end()) return false;
    const ir::Range& range = map.ranges.ranges[static_cast<size_t>(it - map.params.begin())];
    if (!(range.begin == ir::AffineExpr(0)) || !(range.end == ir::AffineExpr(shape[k] - 1)) || range.step != 1)
      return false;
    if (std::count(pureParams.begin(), pureParams.end(), name)) return false;
    pureParams.push_back(name);
  }
  return true;
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
  std::vector<std::string> pureParams;
  bool dense = isProjection(write.subset, map, out.shape, pureParams);
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
    for (size_t k = 0; k < pureParams.size(); ++k) params[pureParams[k]] = vars[k];
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
    scope.values[edge.dstConn] = element(buffers(edge.memlet.data), indices, desc.dtype);
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
  int lanes = std::max(1, target.vectorLanes * 32 / std::max(8, storageType(out.dtype).bits()));
  if (dense && reductionParams.empty()) {
    f(halideVars) = value;
    scheduleDense(f, halideVars, out.shape, lanes);
  } else if (dense) {
    f(halideVars) = outBuffer(pure);
    f(pure) = combine(write.wcr, f(pure), value);
    std::vector<Halide::VarOrRVar> order;
    if (!halideVars.empty()) order.emplace_back(halideVars.front());
    for (int i = 0; i < domain.dimensions(); ++i) order.emplace_back(domain[i]);
    for (size_t k = 1; k < halideVars.size(); ++k) order.emplace_back(halideVars[k]);
    if (order.size() > 1) f.update().reorder(order);
    scheduleDense(f.update(), halideVars, out.shape, lanes);
  } else {
    std::vector<Expr> lhs;
    for (const ir::Range& r : write.subset.ranges) lhs.push_back(toHalide(r.begin, params));
    std::reverse(lhs.begin(), lhs.end());
    f(halideVars) = outBuffer(pure);
    f(lhs) = combine(write.wcr, f(lhs), value);
  }

  try {
    Halide::Pipeline pipeline(f);
    pipeline.compile_jit(jitTarget(target));
    return {kernel.name, pipeline, outBuffer};
  } catch (const Halide::Error& e) {
    throw Error(where + ": Halide rejected the kernel: " + e.what());
  }
}

}  // namespace

std::vector<LoweredKernel> lowerKernel(const ir::Graph& graph, const passes::Kernel& kernel,
                                       const BufferLookup& buffers, const ir::TargetDesc& target) {
  const ir::State& state = graph.state(kernel.state);
  const std::string where = "kernel " + kernel.name + " (" + state.node(kernel.root).describe() + ")";
  NodeId tasklet = kernelTasklet(state, kernel, where);
  std::vector<LoweredKernel> lowered;
  // A tasklet with several outputs (Dropout's output and mask) becomes one pipeline per output.
  for (EdgeId e : state.outEdges(tasklet))
    lowered.push_back(lowerOutput(graph, kernel, tasklet, state.edge(e), buffers, target, where));
  return lowered;
}

}  // namespace conflux::targets::cpu
