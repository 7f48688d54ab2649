#include "passes/expansions/builder.h"

#include <cctype>
#include <cmath>
#include <limits>
#include <map>

namespace conflux::passes::expansions {

using namespace ir;

namespace {

/// Number of Load nodes reading connector `conn` in `e`.
int64_t countLoads(const Expr& e, const std::string& conn) {
  int64_t n = e->kind == ExprKind::Load && e->name == conn ? 1 : 0;
  for (const Expr& a : e->args) n += countLoads(a, conn);
  return n;
}

/// The memlet of an inner edge: a Load reads one element per evaluation, whatever the region.
Memlet innerMemlet(const std::string& data, const Port& port, const std::vector<Expr>& exprs) {
  Memlet m = Memlet::of(data, port.subset, port.wcr);
  int64_t loads = 0;
  for (const Expr& e : exprs) loads += countLoads(e, port.conn);
  if (loads > 0) m.volume = loads;
  return m;
}

}  // namespace

Builder::Builder(Graph& graph, State& state, NodeId node)
    : graph_(graph), state_(state), node_(node) {
  const Node& n = state.node(node);
  op_ = std::get<LibraryNode>(n.payload);
  nodeLabel_ = n.label;
  origins_ = n.origins;
}

bool Builder::has(const std::string& conn) const {
  for (EdgeId e : state_.inEdges(node_))
    if (state_.edge(e).dstConn == conn) return true;
  for (EdgeId e : state_.outEdges(node_))
    if (state_.edge(e).srcConn == conn) return true;
  return false;
}

NodeId Builder::connected(const std::string& conn, bool input) const {
  for (EdgeId id : input ? state_.inEdges(node_) : state_.outEdges(node_)) {
    const Edge& e = state_.edge(id);
    if ((input ? e.dstConn : e.srcConn) != conn) continue;
    NodeId other = input ? e.src : e.dst;
    if (state_.node(other).kind() != NodeKind::Access)
      fail("connector '" + conn + "' is not wired to an access node");
    return other;
  }
  fail("connector '" + conn + "' is missing");
}

NodeId Builder::access(const std::string& conn) const {
  return connected(conn, conn.starts_with("in"));
}

const std::string& Builder::arrayOf(NodeId access) const {
  return std::get<AccessNode>(state_.node(access).payload).data;
}

const DataDesc& Builder::descOf(NodeId access) const {
  return graph_.array(arrayOf(access));
}

const std::vector<int64_t>& Builder::shape(const std::string& conn) const {
  return descOf(access(conn)).shape;
}

DType Builder::dtype(const std::string& conn) const {
  return descOf(access(conn)).dtype;
}

size_t Builder::numInputs() const {
  size_t n = 0;
  while (has("in" + std::to_string(n))) ++n;
  return n;
}

const Tensor* Builder::constantValue(const std::string& conn) const {
  return graph_.constantValue(array(conn));
}

std::string Builder::declare(const std::string& suffix, DType dtype, std::vector<int64_t> shape,
                             bool transient) {
  std::string base = nodeLabel_ + "_" + suffix;
  std::string name = base;
  for (int i = 2; graph_.hasArray(name); ++i) name = base + "_" + std::to_string(i);
  DataDesc desc;
  desc.dtype = dtype;
  desc.shape = std::move(shape);
  desc.transient = transient;
  graph_.addArray(name, std::move(desc));
  return name;
}

std::string Builder::addTransient(const std::string& suffix, DType dtype,
                                  std::vector<int64_t> shape) {
  return declare(suffix, dtype, std::move(shape), true);
}

std::string Builder::addConstant(const std::string& suffix, Tensor value) {
  std::string name = declare(suffix, value.dtype(), value.shape(), false);
  graph_.setConstantValue(name, std::move(value));
  return name;
}

NodeId Builder::addAccess(const std::string& array) {
  return state_.addAccess(array, origins_);
}

std::string Builder::label(const std::string& role) const {
  std::string name;
  for (char c : opKindName(op_.op)) name += static_cast<char>(std::tolower(c));
  return role.empty() ? name : name + "_" + role;
}

void Builder::addMap(const MapSpec& spec) {
  CONFLUX_ASSERT(spec.exprs.size() == spec.outputs.size(), "one expression per output");
  CONFLUX_ASSERT(spec.params.size() == spec.ranges.rank(), "one range per parameter");
  Tasklet tasklet;
  for (const Port& p : spec.inputs) tasklet.inputs.push_back(p.conn);
  for (size_t i = 0; i < spec.outputs.size(); ++i)
    tasklet.outputs.push_back({spec.outputs[i].conn, spec.exprs[i]});
  std::string name = label(spec.role);
  if (spec.params.empty()) {  // a single evaluation: no scope needed
    NodeId t = state_.addTasklet(name, std::move(tasklet), origins_);
    for (const Port& p : spec.inputs)
      state_.addEdge(p.access, "", t, p.conn, innerMemlet(arrayOf(p.access), p, spec.exprs));
    for (const Port& p : spec.outputs)
      state_.addEdge(t, p.conn, p.access, "", Memlet::of(arrayOf(p.access), p.subset, p.wcr));
    for (NodeId a : spec.after) state_.addEdge(a, "", t, "", Memlet::empty());
    return;
  }

  auto [entry, exit] =
      state_.addMap(name, Map{spec.params, spec.ranges, Schedule::Sequential}, origins_);
  NodeId t = state_.addTasklet(name, std::move(tasklet), origins_);
  // One outer edge per array; its memlet is recomputed by memlet propagation.
  std::map<std::string, NodeId> entered;
  for (const Port& p : spec.inputs) {
    const std::string& data = arrayOf(p.access);
    auto [it, fresh] = entered.emplace(data, p.access);
    CONFLUX_ASSERT(it->second == p.access, "one map reads '" + data + "' from two access nodes");
    if (fresh)
      state_.addEdge(p.access, "", entry, "IN_" + data,
                     Memlet::of(data, Subset::full(descOf(p.access).shape)));
    state_.addEdge(entry, "OUT_" + data, t, p.conn, innerMemlet(data, p, spec.exprs));
  }
  if (spec.inputs.empty()) state_.addEdge(entry, "", t, "", Memlet::empty());
  std::map<std::string, NodeId> exited;
  for (const Port& p : spec.outputs) {
    const std::string& data = arrayOf(p.access);
    auto [it, fresh] = exited.emplace(data, p.access);
    CONFLUX_ASSERT(it->second == p.access, "one map writes '" + data + "' to two access nodes");
    state_.addEdge(t, p.conn, exit, "IN_" + data, Memlet::of(data, p.subset, p.wcr));
    if (fresh)
      state_.addEdge(exit, "OUT_" + data, p.access, "",
                     Memlet::of(data, Subset::full(descOf(p.access).shape), p.wcr));
  }
  for (NodeId a : spec.after) state_.addEdge(a, "", entry, "", Memlet::empty());
}

NodeId Builder::fill(NodeId target, const Expr& value, const std::string& role) {
  const std::vector<int64_t>& shape = descOf(target).shape;
  std::vector<std::string> params = paramNames("i", shape.size());
  addMap({role,
          params,
          Subset::full(shape),
          {},
          {{target, "out", point(symbols(params))}},
          {value},
          {}});
  return target;
}

void Builder::fail(const std::string& what) const {
  throw Error("node '" + nodeLabel_ + "' (" + std::string(opKindName(op_.op)) + "): " + what);
}

std::vector<std::string> paramNames(const std::string& prefix, size_t n) {
  std::vector<std::string> names;
  for (size_t i = 0; i < n; ++i) names.push_back(prefix + std::to_string(i));
  return names;
}

std::vector<AffineExpr> symbols(const std::vector<std::string>& params) {
  std::vector<AffineExpr> result;
  for (const std::string& p : params) result.push_back(AffineExpr::symbol(p));
  return result;
}

Subset point(const std::vector<AffineExpr>& index) {
  Subset s;
  for (const AffineExpr& i : index) s.ranges.push_back(Range::point(i));
  return s;
}

Expr param(const std::string& name) {
  return ref(name, DType::I64);
}

Expr i64(int64_t value) {
  return constant(static_cast<double>(value), DType::I64);
}

Expr add(Expr a, Expr b) {
  return binary(BinaryOp::Add, std::move(a), std::move(b));
}
Expr sub(Expr a, Expr b) {
  return binary(BinaryOp::Sub, std::move(a), std::move(b));
}
Expr mul(Expr a, Expr b) {
  return binary(BinaryOp::Mul, std::move(a), std::move(b));
}
Expr div(Expr a, Expr b) {
  return binary(BinaryOp::Div, std::move(a), std::move(b));
}
Expr maxOf(Expr a, Expr b) {
  return binary(BinaryOp::Max, std::move(a), std::move(b));
}
Expr minOf(Expr a, Expr b) {
  return binary(BinaryOp::Min, std::move(a), std::move(b));
}
Expr constantLike(double value, const Expr& like) {
  return constant(value, like->dtype);
}

std::vector<AffineExpr> broadcastIndex(const std::vector<int64_t>& shape,
                                       const std::vector<AffineExpr>& index,
                                       const std::vector<int64_t>& outShape) {
  CONFLUX_ASSERT(shape.size() <= index.size() && index.size() == outShape.size(),
                 "broadcast from a higher rank");
  size_t lead = index.size() - shape.size();
  std::vector<AffineExpr> result;
  for (size_t d = 0; d < shape.size(); ++d)
    result.push_back(shape[d] == 1 && outShape[lead + d] != 1 ? AffineExpr(0) : index[lead + d]);
  return result;
}

Expr wrapNegative(Expr index, int64_t extent) {
  if (index->dtype != DType::I64) index = cast(index, DType::I64);
  return select(binary(BinaryOp::Lt, index, i64(0)), add(index, i64(extent)), index);
}

Expr identityOf(Wcr wcr, DType dtype) {
  auto extreme = [&](bool highest) -> double {
    switch (dtype) {
      case DType::I64:
        // The largest double below 2^63, so that converting it back to i64 is defined.
        return highest ? std::nextafter(0x1p63, 0.0)
                       : static_cast<double>(std::numeric_limits<int64_t>::lowest());
      case DType::I32:
        return highest ? std::numeric_limits<int32_t>::max()
                       : std::numeric_limits<int32_t>::lowest();
      case DType::Bool:
        return highest ? 1.0 : 0.0;
      default:
        return highest ? std::numeric_limits<double>::infinity()
                       : -std::numeric_limits<double>::infinity();
    }
  };
  switch (wcr) {
    case Wcr::Max:
      return constant(extreme(false), dtype);
    case Wcr::Min:
      return constant(extreme(true), dtype);
    case Wcr::Product:
      return constant(1.0, dtype);
    default:
      return constant(0.0, dtype);
  }
}

}  // namespace conflux::passes::expansions
