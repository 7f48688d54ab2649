#include "targets/cpu/tasklet_inputs.h"

#include <algorithm>
#include <limits>

#include "ir/error.h"
#include "passes/map_patterns.h"

namespace conflux::targets::cpu {

using Halide::Expr;
using ir::EdgeId;
using ir::NodeId;

Expr element(const ArraySource& array, std::vector<Expr> rowMajor, ir::DType dtype) {
  std::reverse(rowMajor.begin(), rowMajor.end());
  Expr value = array(rowMajor);
  return dtype == ir::DType::Bool ? value != Halide::cast(value.type(), 0) : value;
}


ExprScope bindInputs(const ir::Graph& graph, const ir::State& state, NodeId tasklet,
                     const std::map<std::string, Expr>& params, const ArrayLookup& arrays,
                     const PackRead& pack, const std::map<std::string, Expr>& registers,
                     const std::string& where) {
  ExprScope scope;
  for (const auto& [name, value] : params) scope.values[name] = value;
  std::map<std::string, ir::Memlet> regions;
  for (EdgeId e : state.inEdges(tasklet)) {
    const ir::Edge& edge = state.edge(e);
    if (edge.memlet.isEmpty()) continue;
    if (auto it = registers.find(edge.memlet.data); it != registers.end()) {
      scope.values[edge.dstConn] = it->second;
      continue;
    }
    regions[edge.dstConn] = edge.memlet;  // a Load may read any input, a single element at 0
    if (!passes::isPoint(edge.memlet.subset)) continue;
    std::vector<Expr> indices;
    for (const ir::Range& r : edge.memlet.subset.ranges)
      indices.push_back(toHalide(r.begin, params));
    std::optional<Expr> packed = pack ? pack(edge.memlet, indices) : std::nullopt;
    scope.values[edge.dstConn] =
        packed ? *packed
               : element(arrays(edge.memlet.data), indices, graph.array(edge.memlet.data).dtype);
  }
  scope.load = [regions, params, arrays, &graph, where](const std::string& conn,
                                                        const std::vector<Expr>& relative) {
    auto it = regions.find(conn);
    if (it == regions.end()) throw Error(where + ": Load of '" + conn + "', which is not a region");
    const ir::DataDesc& desc = graph.array(it->second.data);
    std::vector<Expr> indices;
    for (size_t k = 0; k < relative.size(); ++k) {
      // Clamped: an index outside the array is a bug the reference target reports; here it
      // must not read outside the buffer.
      Expr index =
          toHalide(it->second.subset.ranges[k].begin, params) + Halide::cast<int32_t>(relative[k]);
      indices.push_back(Halide::clamp(index, 0, static_cast<int32_t>(desc.shape[k] - 1)));
    }
    return element(arrays(it->second.data), indices, desc.dtype);
  };
  return scope;
}


Expr identityOf(ir::Wcr wcr, Halide::Type type) {
  constexpr double kInfinity = std::numeric_limits<double>::infinity();
  switch (wcr) {
    case ir::Wcr::Max:
      return type.is_float() ? Halide::cast(type, Expr(-kInfinity)) : type.min();
    case ir::Wcr::Min:
      return type.is_float() ? Halide::cast(type, Expr(kInfinity)) : type.max();
    case ir::Wcr::Product:
      return Halide::cast(type, 1);
    case ir::Wcr::Sum:
    case ir::Wcr::None:
      break;
  }
  return Halide::cast(type, 0);
}

Expr combine(ir::Wcr wcr, const Expr& acc, const Expr& x) {
  bool isFloat = acc.type().is_float();
  auto nanOr = [&](const Expr& m) {
    return isFloat ? Halide::select(Halide::is_nan(acc) || Halide::is_nan(x), acc + x, m) : m;
  };
  switch (wcr) {
    case ir::Wcr::Sum:
      return acc.type().is_uint() ? (acc | x) : acc + x;
    case ir::Wcr::Product:
      return acc.type().is_uint() ? (acc & x) : acc * x;
    case ir::Wcr::Max:
      return nanOr(Halide::max(acc, x));
    case ir::Wcr::Min:
      return nanOr(Halide::min(acc, x));
    case ir::Wcr::None:
      return x;
  }
  return x;
}

const ir::Expr& outputExpr(const ir::State& state, NodeId tasklet, const std::string& conn) {
  const auto& t = std::get<ir::Tasklet>(state.node(tasklet).payload);
  for (const ir::TaskletOutput& o : t.outputs)
    if (conn.empty() || o.name == conn) return o.expr;
  throw Error("tasklet " + state.node(tasklet).describe() + " has no output '" + conn + "'");
}

}  // namespace conflux::targets::cpu
