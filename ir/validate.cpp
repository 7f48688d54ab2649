#include "ir/validate.h"

#include <algorithm>
#include <set>

#include "ir/error.h"
#include "ir/footprint.h"
#include "ir/scope.h"

namespace conflux::ir {
namespace {

/// Walks one graph and reports the first broken invariant with its location.
class Validator {
 public:
  explicit Validator(const Graph& graph) : graph_(graph) {}

  void run() {
    checkArrays();
    for (const State& s : graph_.states()) checkState(s);
    checkInterstate();
  }

 private:
  [[noreturn]] void fail(const std::string& where, const std::string& what) const {
    throw Error("graph '" + graph_.name() + "', " + where + ": " + what);
  }

  void checkArrays() {
    for (const auto& [name, desc] : graph_.arrays()) {
      std::string where = "array '" + name + "'";
      for (int64_t d : desc.shape)
        if (d <= 0) fail(where, "dimension " + std::to_string(d) + " is not positive");
      std::vector<int> order = desc.layout.order;
      std::sort(order.begin(), order.end());
      for (size_t i = 0; i < order.size(); ++i)
        if (order[i] != static_cast<int>(i) || order.size() != desc.shape.size())
          fail(where, "layout " + desc.layout.toString() + " is not a permutation of its " +
                          std::to_string(desc.shape.size()) + " dimensions");
      for (const DimBlock& b : desc.layout.blocks)
        if (b.dim < 0 || b.dim >= static_cast<int>(desc.shape.size()) || b.size < 1)
          fail(where, "bad block in layout " + desc.layout.toString());
    }
    auto checkSignature = [&](const std::vector<std::string>& names, const char* role) {
      for (const std::string& n : names) {
        if (!graph_.hasArray(n)) fail(std::string(role) + " '" + n + "'", "unknown array");
        if (graph_.array(n).transient) fail(std::string(role) + " '" + n + "'", "is transient");
      }
    };
    checkSignature(graph_.inputs(), "input");
    checkSignature(graph_.outputs(), "output");
  }

  void checkState(const State& state) {
    std::string where = "state '" + state.name() + "'";
    if (!state.topologicalOrder()) fail(where, "the dataflow graph has a cycle");
    for (NodeId id : state.nodeIds()) checkMapExitTarget(state, state.node(id));
    ScopeTree scopes = scopeTree(state);
    scopes_ = &scopes;
    for (NodeId id : state.nodeIds()) checkNode(state, state.node(id));
    for (EdgeId id : state.edgeIds()) checkEdge(state, scopes, state.edge(id));
    scopes_ = nullptr;
  }

  /// Checked before the scope tree is built, which relies on it.
  void checkMapExitTarget(const State& state, const Node& node) {
    if (node.kind() != NodeKind::MapExit) return;
    NodeId entry = std::get<MapExit>(node.payload).entry;
    if (!state.hasNode(entry) || state.node(entry).kind() != NodeKind::MapEntry)
      fail("state '" + state.name() + "', node " + node.describe(),
           "map exit refers to n" + std::to_string(entry.value) + ", which is not a map entry");
  }

  ScopeTree scopeTree(const State& state) const {
    try {
      return ScopeTree(state);
    } catch (const Error& e) {
      throw Error("graph '" + graph_.name() + "', " + e.what());
    }
  }

  void checkNode(const State& state, const Node& node) {
    std::string where = "state '" + state.name() + "', node " + node.describe();
    switch (node.kind()) {
      case NodeKind::Access: {
        const std::string& data = std::get<AccessNode>(node.payload).data;
        if (!graph_.hasArray(data)) fail(where, "unknown array '" + data + "'");
        break;
      }
      case NodeKind::Tasklet: checkTasklet(state, node, where); break;
      case NodeKind::MapEntry: checkMap(std::get<MapEntry>(node.payload).map, where); break;
      case NodeKind::MapExit: break;  // checked by checkMapExitTarget
      case NodeKind::Library: {
        const auto& lib = std::get<LibraryNode>(node.payload);
        checkConnected(state, node, lib.inputs, true, where);
        checkConnected(state, node, lib.outputs, false, where);
        break;
      }
      case NodeKind::NestedGraph: {
        const auto& nested = std::get<NestedGraphNode>(node.payload);
        if (!nested.graph) fail(where, "nested graph node without a graph");
        for (const auto& conns : {nested.inputs, nested.outputs})
          for (const std::string& c : conns)
            if (!nested.graph->hasArray(c) || nested.graph->array(c).transient)
              fail(where, "connector '" + c + "' is not a non-transient array of the nested graph");
        validate(*nested.graph);
        break;
      }
    }
    if (node.kind() == NodeKind::MapEntry) checkScopePairs(state, node, where);
  }

  void checkTasklet(const State& state, const Node& node, const std::string& where) {
    const auto& t = std::get<Tasklet>(node.payload);
    if (t.outputs.empty()) fail(where, "tasklet without outputs");
    std::vector<std::string> outNames;
    for (const TaskletOutput& o : t.outputs) {
      if (!o.expr) fail(where, "output '" + o.name + "' has no expression");
      outNames.push_back(o.name);
      for (const std::string& r : referencedNames(o.expr))
        if (std::find(t.inputs.begin(), t.inputs.end(), r) == t.inputs.end() &&
            !graph_.symbols().count(r) && !isMapParam(node.id, r))
          fail(where, "expression of '" + o.name + "' reads '" + r +
                          "', which is no input connector, map parameter or symbol");
    }
    checkConnected(state, node, t.inputs, true, where);
    checkConnected(state, node, outNames, false, where);
  }

  bool isMapParam(NodeId node, const std::string& name) const {
    for (const Map* m : scopes_->maps(scopes_->scopeOf(node)))
      if (std::find(m->params.begin(), m->params.end(), name) != m->params.end()) return true;
    return false;
  }

  /// Every declared connector has exactly one edge (inputs) or at least one (outputs).
  void checkConnected(const State& state, const Node& node, const std::vector<std::string>& conns,
                      bool incoming, const std::string& where) {
    for (const std::string& c : conns) {
      size_t count = 0;
      for (EdgeId e : incoming ? state.inEdges(node.id) : state.outEdges(node.id)) {
        const Edge& edge = state.edge(e);
        if ((incoming ? edge.dstConn : edge.srcConn) == c) ++count;
      }
      if (count == 0)
        fail(where, std::string(incoming ? "input" : "output") + " connector '" + c +
                        "' is dangling (no edge)");
      if (incoming && count > 1) fail(where, "input connector '" + c + "' has several edges");
    }
  }

  /// IN_x of an entry pairs with OUT_x of the entry; the same for the exit.
  void checkScopePairs(const State& state, const Node& entry, const std::string& where) {
    NodeId exit;
    try {
      exit = state.exitOf(entry.id);
    } catch (const Error&) {
      fail(where, "map entry without a map exit");
    }
    for (NodeId id : {entry.id, exit}) {
      std::set<std::string> ins, outs;
      for (EdgeId e : state.inEdges(id))
        if (isInConnector(state.edge(e).dstConn)) ins.insert(connectorBase(state.edge(e).dstConn));
      for (EdgeId e : state.outEdges(id))
        if (isOutConnector(state.edge(e).srcConn)) outs.insert(connectorBase(state.edge(e).srcConn));
      for (const std::string& c : ins)
        if (!outs.count(c))
          fail("state '" + state.name() + "', node " + state.node(id).describe(),
               "connector IN_" + c + " has no matching OUT_" + c + " (dangling edge)");
      for (const std::string& c : outs)
        if (!ins.count(c))
          fail("state '" + state.name() + "', node " + state.node(id).describe(),
               "connector OUT_" + c + " has no matching IN_" + c + " (dangling edge)");
    }
  }

  void checkMap(const Map& map, const std::string& where) {
    if (map.params.size() != map.ranges.rank())
      fail(where, std::to_string(map.params.size()) + " parameters but " +
                      std::to_string(map.ranges.rank()) + " ranges");
    std::set<std::string> names(map.params.begin(), map.params.end());
    if (names.size() != map.params.size()) fail(where, "map parameters are not unique");
    for (const Range& r : map.ranges.ranges)
      if (r.step < 1) fail(where, "map range step must be >= 1");
  }

  void checkEdge(const State& state, const ScopeTree& scopes, const Edge& edge) {
    const Node& src = state.node(edge.src);
    const Node& dst = state.node(edge.dst);
    std::string where = "state '" + state.name() + "', edge e" + std::to_string(edge.id.value) +
                        " " + src.describe() + " -> " + dst.describe();
    const Memlet& m = edge.memlet;
    // An empty memlet only orders nodes; it may use the unnamed connector on any node.
    bool orderingOnly = m.isEmpty();
    if (!src.hasOutConnector(edge.srcConn) && !(orderingOnly && edge.srcConn.empty()))
      fail(where, "source has no output connector '" + edge.srcConn + "' (dangling edge)");
    if (!dst.hasInConnector(edge.dstConn) && !(orderingOnly && edge.dstConn.empty()))
      fail(where, "destination has no input connector '" + edge.dstConn + "' (dangling edge)");
    if (orderingOnly) return;
    if (!graph_.hasArray(m.data)) fail(where, "memlet of unknown array '" + m.data + "'");
    const DataDesc& desc = graph_.array(m.data);
    if (m.subset.rank() != desc.shape.size())
      fail(where, "memlet " + m.toString() + " has rank " + std::to_string(m.subset.rank()) +
                      " but '" + m.data + "' has rank " + std::to_string(desc.shape.size()));
    std::vector<const Map*> maps = scopes.maps(scopes.scopeOfEdge(edge));
    checkSymbols(m, maps, where);
    checkBounds(m, desc, maps, where);
    checkDtypes(src, edge.srcConn, desc.dtype, where);
    checkDtypes(dst, edge.dstConn, desc.dtype, where);
    if (src.kind() == NodeKind::Access && dst.kind() == NodeKind::Access) {
      DType other = graph_.array(std::get<AccessNode>(src.payload).data).dtype;
      if (other != graph_.array(std::get<AccessNode>(dst.payload).data).dtype)
        fail(where, "copy between arrays of different dtypes (dtype mismatch)");
    }
  }

  void checkSymbols(const Memlet& m, const std::vector<const Map*>& maps, const std::string& where) {
    for (const std::string& s : m.subset.freeSymbols()) {
      bool bound = graph_.symbols().count(s) != 0;
      for (const Map* map : maps)
        bound = bound || std::find(map->params.begin(), map->params.end(), s) != map->params.end();
      if (!bound) fail(where, "memlet " + m.toString() + " uses unbound symbol '" + s + "'");
    }
  }

  void checkBounds(const Memlet& m, const DataDesc& desc, const std::vector<const Map*>& maps,
                   const std::string& where) {
    Footprint f = footprintOverMaps({m.subset}, maps);
    for (size_t k = 0; k < f.box.rank(); ++k) {
      const Range& r = f.box.ranges[k];
      auto lo = r.begin.constantValue();
      auto hi = r.end.constantValue();
      if (lo && hi && *hi < *lo) continue;  // empty
      if ((lo && *lo < 0) || (hi && *hi >= desc.shape[k]))
        fail(where, "memlet " + m.toString() + " is out of bounds in dimension " +
                        std::to_string(k) + ": touches " + r.toString() + " of 0:" +
                        std::to_string(desc.shape[k] - 1));
    }
  }

  /// A tasklet's reference to a connector must have the dtype of the array it is wired to.
  void checkDtypes(const Node& node, const std::string& conn, DType arrayType,
                   const std::string& where) {
    if (node.kind() != NodeKind::Tasklet) return;
    const auto& t = std::get<Tasklet>(node.payload);
    for (const TaskletOutput& o : t.outputs) {
      if (o.name == conn && o.expr->dtype != arrayType)
        fail(where, "dtype mismatch: tasklet output '" + conn + "' is " +
                        std::string(dtypeName(o.expr->dtype)) + " but the array is " +
                        std::string(dtypeName(arrayType)));
      checkRefDtype(o.expr, conn, arrayType, where);
    }
  }

  void checkRefDtype(const Expr& e, const std::string& conn, DType arrayType,
                     const std::string& where) {
    bool readsConn = (e->kind == ExprKind::Ref || e->kind == ExprKind::Load) && e->name == conn;
    if (readsConn && e->dtype != arrayType)
      fail(where, "dtype mismatch: tasklet reads '" + conn + "' as " +
                      std::string(dtypeName(e->dtype)) + " but the array is " +
                      std::string(dtypeName(arrayType)));
    for (const Expr& a : e->args) checkRefDtype(a, conn, arrayType, where);
  }

  void checkInterstate() {
    size_t n = graph_.states().size();
    if (n == 0) fail("states", "a graph needs at least one state");
    if (graph_.startState() >= n) fail("states", "start state index is out of range");
    for (size_t i = 0; i < graph_.interstateEdges().size(); ++i) {
      const InterstateEdge& e = graph_.interstateEdges()[i];
      std::string where = "interstate edge " + std::to_string(i);
      if (e.src >= n || e.dst >= n) fail(where, "refers to a state that does not exist");
      if (e.condition && e.condition->dtype != DType::Bool) fail(where, "condition is not bool");
    }
  }

  const Graph& graph_;
  const ScopeTree* scopes_ = nullptr;  // of the state being checked
};

}  // namespace

void validate(const Graph& graph) { Validator(graph).run(); }

}  // namespace conflux::ir
