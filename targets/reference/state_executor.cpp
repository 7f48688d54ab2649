#include "targets/reference/state_executor.h"

#include "ir/scope.h"
#include "targets/reference/copies.h"
#include "targets/reference/graph_run.h"

namespace conflux::targets::reference {

using ir::NodeKind;

namespace {
constexpr int64_t kTopLevel = -1;
}  // namespace

StateExecutor::StateExecutor(const ir::Graph& graph, const ir::State& state, Buffers& buffers,
                             const NameScope& symbols, int& nextSlot)
    : graph_(graph), state_(state), buffers_(buffers),
      where_("graph '" + graph.name() + "', state '" + state.name() + "'") {
  ir::ScopeTree tree(state);
  std::optional<std::vector<ir::NodeId>> order = state.topologicalOrder();
  CONFLUX_ASSERT(order.has_value(), "the scope tree accepted a cyclic state");
  scopes_[kTopLevel].names = symbols;
  for (ir::NodeId id : *order) {
    std::optional<ir::NodeId> parent = tree.scopeOf(id);
    Scope& outer = scopes_[parent ? parent->value : kTopLevel];
    outer.children.push_back(id);
    const ir::Node& node = state.node(id);
    if (node.kind() != NodeKind::MapEntry) continue;
    const ir::Map& map = std::get<ir::MapEntry>(node.payload).map;
    Scope& inner = scopes_[id.value];
    inner.names = outer.names;
    std::vector<int> slots;
    for (const std::string& param : map.params) {
      slots.push_back(nextSlot++);
      inner.names.bind(param, slots.back());
    }
    inner.ranges = MapRanges::of(map, outer.names, std::move(slots), where(id));
  }
  for (auto& [key, scope] : scopes_) {
    scope.context = KernelContext{&state_, where_, &buffers_, scope.names};
    if (key != kTopLevel) scope.kernelBody = isKernelBody(state_, scope.children);
  }
}

StateExecutor::~StateExecutor() = default;

std::string StateExecutor::where(ir::NodeId id) const {
  return where_ + ", node " + state_.node(id).describe();
}

void StateExecutor::run(int64_t* env) { runScope(kTopLevel, env); }

void StateExecutor::runScope(int64_t key, int64_t* env) {
  const Scope& scope = scopes_.at(key);
  for (ir::NodeId id : scope.children) {
    switch (state_.node(id).kind()) {
      case NodeKind::Access: runCopies(id, scope, env); break;
      case NodeKind::Tasklet: runTasklet(id, scope, env); break;
      case NodeKind::MapEntry: runMap(id, env); break;
      case NodeKind::MapExit: break;  // the map's writes happened inside its scope
      case NodeKind::Library: throw Error(where(id) + ": expand library nodes first");
      case NodeKind::NestedGraph: runNested(id, scope, env); break;
    }
  }
}

void StateExecutor::runMap(ir::NodeId entry, int64_t* env) {
  Scope& scope = scopes_.at(entry.value);
  IterationSpace space = IterationSpace::evaluate(scope.ranges, env);
  if (space.empty()) return;
  std::optional<size_t> vectorDim = space.widestDim();
  if (!scope.kernelBody || !vectorDim) {
    forEachPoint(space, env, [&] { runScope(entry.value, env); });
    return;
  }
  std::unique_ptr<Kernel>& kernel = scope.kernels[*vectorDim];
  if (!kernel)
    kernel = std::make_unique<Kernel>(scope.context, scope.children, space.slots[*vectorDim],
                                      space.step[*vectorDim]);
  kernel->checkBounds(env, space.box());
  int64_t lanes = kernel->batchable() ? kMaxLanes : 1;
  forEachBatch(space, *vectorDim, lanes, env, [&](int64_t count) { kernel->run(env, count); });
}

void StateExecutor::runTasklet(ir::NodeId id, const Scope& scope, int64_t* env) {
  std::unique_ptr<Kernel>& kernel = tasklets_[id.value];
  if (!kernel) kernel = std::make_unique<Kernel>(scope.context, std::vector<ir::NodeId>{id}, -1, 0);
  kernel->checkBounds(env, {});
  kernel->run(env, 1);
}

void StateExecutor::runCopies(ir::NodeId id, const Scope& scope, int64_t* env) {
  const std::string& data = std::get<ir::AccessNode>(state_.node(id).payload).data;
  for (ir::EdgeId e : state_.inEdges(id)) {
    const ir::Edge& edge = state_.edge(e);
    if (edge.memlet.isEmpty()) continue;
    const ir::Node& src = state_.node(edge.src);
    if (src.kind() == NodeKind::MapEntry && edge.memlet.data != data)
      throw Error(where(id) + ": copies from a map entry into another array are not supported");
    if (src.kind() != NodeKind::Access) continue;  // tasklets and scopes wrote already
    const std::string& from = std::get<ir::AccessNode>(src.payload).data;
    std::string what = where_ + ", copy " + src.describe() + " -> " + state_.node(id).describe();
    if (edge.memlet.data != from && edge.memlet.data != data)
      throw Error(what + ": the memlet names '" + edge.memlet.data + "', neither end");
    MemletAddress address(edge.memlet, buffers_, scope.names, what);
    ir::Tensor& source = buffers_.at(from);
    ir::Tensor& target = buffers_.at(data);
    // The memlet's subset selects the side it names; the other side is the whole array.
    bool namesSource = edge.memlet.data == from;
    Box sourceBox = namesSource ? address.box(env) : Box::whole(source.shape());
    Box targetBox = namesSource ? Box::whole(target.shape()) : address.box(env);
    copyRegion(source, sourceBox, target, targetBox, edge.memlet.wcr, what);
  }
}

void StateExecutor::runNested(ir::NodeId id, const Scope& scope, int64_t* env) {
  const auto& nested = std::get<ir::NestedGraphNode>(state_.node(id).payload);
  CONFLUX_ASSERT(nested.graph != nullptr, "nested graph node without a graph");
  const ir::Graph& inner = *nested.graph;
  std::string what = where(id);
  auto innerArray = [&](const std::string& conn) -> const ir::DataDesc& {
    if (!inner.hasArray(conn) || inner.array(conn).transient)
      throw Error(what + ": connector '" + conn + "' is no non-transient array of the nested graph");
    return inner.array(conn);
  };
  std::map<std::string, ir::Tensor> inputs;
  for (ir::EdgeId e : state_.inEdges(id)) {
    const ir::Edge& edge = state_.edge(e);
    if (edge.memlet.isEmpty() || edge.dstConn.empty()) continue;
    const ir::DataDesc& desc = innerArray(edge.dstConn);
    MemletAddress address(edge.memlet, buffers_, scope.names, what);
    ir::Tensor value(desc.dtype, desc.shape, edge.dstConn);
    copyRegion(address.buffer(), address.box(env), value, Box::whole(desc.shape), ir::Wcr::None,
               what + ", input '" + edge.dstConn + "'");
    inputs.emplace(edge.dstConn, std::move(value));
  }
  std::map<std::string, int64_t> symbols;
  for (const auto& [name, type] : inner.symbols())
    if (std::optional<int> slot = scope.names.find(name)) symbols[name] = env[*slot];

  GraphRun run(inner, inputs, symbols, what);
  run.execute();

  for (ir::EdgeId e : state_.outEdges(id)) {
    const ir::Edge& edge = state_.edge(e);
    if (edge.memlet.isEmpty() || edge.srcConn.empty()) continue;
    const ir::DataDesc& desc = innerArray(edge.srcConn);
    MemletAddress address(edge.memlet, buffers_, scope.names, what);
    copyRegion(run.array(edge.srcConn), Box::whole(desc.shape), address.buffer(), address.box(env),
               edge.memlet.wcr, what + ", output '" + edge.srcConn + "'");
  }
}

}  // namespace conflux::targets::reference
