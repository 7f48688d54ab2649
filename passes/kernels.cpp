#include "passes/kernels.h"

#include <algorithm>
#include <set>

#include "ir/error.h"
#include "ir/scope.h"

namespace conflux::passes {
namespace {

/// Label of the kernel's root, sanitised to [A-Za-z0-9_].
std::string kernelLabel(const ir::Node& root) {
  std::string label = root.label;
  for (char& c : label)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return label;
}

/// Appends the names of `origins` not yet in `into`.
void appendOrigins(std::vector<std::string>& into, const std::vector<std::string>& origins) {
  for (const std::string& o : origins)
    if (std::find(into.begin(), into.end(), o) == into.end()) into.push_back(o);
}

/// True when `id` roots a kernel: a top-level node other than an access node or a map exit.
bool isKernelRoot(const ir::State& state, const ir::ScopeTree& scopes, ir::NodeId id) {
  ir::NodeKind kind = state.node(id).kind();
  return !scopes.scopeOf(id) && kind != ir::NodeKind::Access && kind != ir::NodeKind::MapExit;
}

/// The kernel rooted at `root` of the state `stateIndex`, unnamed: the root, for a map entry its
/// exit and every node inside its scope, and the edges between them and the rest.
Kernel kernelAt(const ir::State& state, const ir::ScopeTree& scopes, size_t stateIndex, ir::NodeId root) {
  Kernel k;
  k.state = stateIndex;
  k.root = root;
  std::set<ir::NodeId> members{root};
  if (state.node(root).kind() == ir::NodeKind::MapEntry) {
    members.insert(state.exitOf(root));
    for (ir::NodeId other : state.nodeIds()) {
      std::vector<ir::NodeId> enclosing = scopes.chain(scopes.scopeOf(other));
      if (std::count(enclosing.begin(), enclosing.end(), root)) members.insert(other);
    }
  }
  k.nodes.assign(members.begin(), members.end());
  for (ir::NodeId m : k.nodes) {
    appendOrigins(k.origins, state.node(m).origins);
    for (ir::EdgeId e : state.inEdges(m))
      if (!members.count(state.edge(e).src) && !state.edge(e).memlet.isEmpty()) k.reads.push_back(e);
    for (ir::EdgeId e : state.outEdges(m))
      if (!members.count(state.edge(e).dst) && !state.edge(e).memlet.isEmpty()) k.writes.push_back(e);
  }
  std::sort(k.reads.begin(), k.reads.end());
  std::sort(k.writes.begin(), k.writes.end());
  return k;
}

bool isCacheLocal(const ir::Graph& graph, const ir::State& state, ir::EdgeId e) {
  return graph.array(state.edge(e).memlet.data).storage == ir::Storage::CacheLocal;
}

/// `edges` less those of cache-local arrays, with `more`'s added, ascending.
std::vector<ir::EdgeId> trafficEdges(const ir::Graph& graph, const ir::State& state, std::vector<ir::EdgeId> edges,
                                     const std::vector<ir::EdgeId>& more) {
  edges.insert(edges.end(), more.begin(), more.end());
  std::erase_if(edges, [&](ir::EdgeId e) { return isCacheLocal(graph, state, e); });
  std::sort(edges.begin(), edges.end());
  edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
  return edges;
}

/// True when `kernel` reads a cache-local array that `producer` writes.
bool feeds(const ir::State& state, const Kernel& producer, const Kernel& kernel) {
  for (ir::EdgeId w : producer.writes)
    for (ir::EdgeId r : kernel.reads)
      if (state.edge(w).memlet.data == state.edge(r).memlet.data) return true;
  return false;
}

}  // namespace

bool writesOnlyCacheLocal(const ir::Graph& graph, const Kernel& kernel) {
  const ir::State& state = graph.state(kernel.state);
  return !kernel.writes.empty() && std::all_of(kernel.writes.begin(), kernel.writes.end(), [&](ir::EdgeId e) {
           return isCacheLocal(graph, state, e);
         });
}

std::vector<Kernel> extractKernels(const ir::Graph& graph) {
  std::vector<Kernel> kernels;
  size_t numbered = 0;
  for (size_t si = 0; si < graph.states().size(); ++si) {
    const ir::State& state = graph.state(si);
    ir::ScopeTree scopes(state);
    std::vector<Kernel> pending;  // producers whose reader is still to come
    std::vector<ir::NodeId> order = *state.topologicalOrder();
    for (ir::NodeId id : order) {
      if (!isKernelRoot(state, scopes, id)) continue;
      Kernel k = kernelAt(state, scopes, si, id);
      k.name = "k" + std::to_string(numbered++) + "_" + kernelLabel(state.node(id));
      const bool producer = writesOnlyCacheLocal(graph, k);
      std::vector<ir::EdgeId> reads;
      std::vector<std::string> origins;
      for (auto it = pending.begin(); it != pending.end();) {
        if (!feeds(state, *it, k)) {
          ++it;
          continue;
        }
        reads.insert(reads.end(), it->reads.begin(), it->reads.end());
        appendOrigins(origins, it->origins);
        k.producers.push_back(std::move(*it));
        it = pending.erase(it);
      }
      if (!k.producers.empty()) {
        // Its producers' reads are its traffic; what they write (cache-local arrays) is none.
        k.reads = trafficEdges(graph, state, k.reads, reads);
        if (!producer) k.writes = trafficEdges(graph, state, k.writes, {});
        appendOrigins(origins, k.origins);
        k.origins = std::move(origins);
      }
      (producer ? pending : kernels).push_back(std::move(k));
    }
    if (!pending.empty())
      throw Error("kernel " + pending.front().name + " writes only cache-local arrays, which no kernel after it reads");
  }
  return kernels;
}

StateKernels::StateKernels(const ir::Graph& graph, size_t stateIndex)
    : state_(graph.state(stateIndex)), stateIndex_(stateIndex), scopes_(state_) {}

bool StateKernels::isRoot(ir::NodeId node) const {
  return state_.hasNode(node) && isKernelRoot(state_, scopes_, node);
}

const Kernel& StateKernels::at(ir::NodeId root) const {
  if (!isRoot(root)) throw InternalError(state_.node(root).describe() + " roots no kernel");
  auto it = built_.find(root);
  if (it == built_.end()) it = built_.emplace(root, kernelAt(state_, scopes_, stateIndex_, root)).first;
  return it->second;
}

std::vector<bool> runOnceKernels(const ir::Graph& graph, const std::vector<Kernel>& kernels) {
  std::vector<bool> once(kernels.size(), false);
  for (size_t i = 0; i < kernels.size(); ++i) {
    const Kernel& k = kernels[i];
    const ir::State& state = graph.state(k.state);
    bool candidate = k.producers.empty() && k.reads.empty() && !k.writes.empty();
    for (ir::EdgeId w : k.writes) {
      const ir::Memlet& write = state.edge(w).memlet;
      candidate = candidate && graph.array(write.data).transient;
      for (size_t j = 0; candidate && j < kernels.size(); ++j) {
        if (j == i) continue;
        for (ir::EdgeId other : kernels[j].writes) {
          const ir::Memlet& o = graph.state(kernels[j].state).edge(other).memlet;
          if (o.data == write.data && o.subset.mayOverlap(write.subset)) candidate = false;
        }
      }
    }
    once[i] = candidate;
  }
  return once;
}

}  // namespace conflux::passes
