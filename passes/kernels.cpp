#include "passes/kernels.h"

#include <algorithm>
#include <set>

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

void appendOrigins(std::vector<std::string>& into, const ir::Node& node) {
  for (const std::string& o : node.origins)
    if (std::find(into.begin(), into.end(), o) == into.end()) into.push_back(o);
}

}  // namespace

std::vector<Kernel> extractKernels(const ir::Graph& graph) {
  std::vector<Kernel> kernels;
  for (size_t si = 0; si < graph.states().size(); ++si) {
    const ir::State& state = graph.state(si);
    ir::ScopeTree scopes(state);
    std::vector<ir::NodeId> order = *state.topologicalOrder();
    for (ir::NodeId id : order) {
      const ir::Node& node = state.node(id);
      if (scopes.scopeOf(id) || node.kind() == ir::NodeKind::Access ||
          node.kind() == ir::NodeKind::MapExit)
        continue;
      Kernel k;
      k.state = si;
      k.root = id;
      k.name = "k" + std::to_string(kernels.size()) + "_" + kernelLabel(node);
      std::set<ir::NodeId> members{id};
      if (node.kind() == ir::NodeKind::MapEntry) {
        members.insert(state.exitOf(id));
        for (ir::NodeId other : order)
          for (ir::NodeId enclosing : scopes.chain(scopes.scopeOf(other)))
            if (enclosing == id) members.insert(other);
      }
      k.nodes.assign(members.begin(), members.end());
      for (ir::NodeId m : k.nodes) {
        appendOrigins(k.origins, state.node(m));
        for (ir::EdgeId e : state.inEdges(m))
          if (!members.count(state.edge(e).src) && !state.edge(e).memlet.isEmpty()) k.reads.push_back(e);
        for (ir::EdgeId e : state.outEdges(m))
          if (!members.count(state.edge(e).dst) && !state.edge(e).memlet.isEmpty()) k.writes.push_back(e);
      }
      std::sort(k.reads.begin(), k.reads.end());
      std::sort(k.writes.begin(), k.writes.end());
      kernels.push_back(std::move(k));
    }
  }
  return kernels;
}

std::map<ir::NodeId, Kernel> kernelsByRoot(const ir::Graph& graph, size_t stateIndex) {
  std::map<ir::NodeId, Kernel> kernels;
  for (Kernel& k : extractKernels(graph))
    if (k.state == stateIndex) kernels.emplace(k.root, std::move(k));
  return kernels;
}

namespace {

/// True when two boxes of constant bounds share an element (unknown bounds count as shared).
bool mayOverlap(const ir::Subset& a, const ir::Subset& b) {
  for (size_t d = 0; d < a.rank() && d < b.rank(); ++d) {
    std::optional<int64_t> aBegin = a.ranges[d].begin.constantValue(), aEnd = a.ranges[d].end.constantValue();
    std::optional<int64_t> bBegin = b.ranges[d].begin.constantValue(), bEnd = b.ranges[d].end.constantValue();
    if (aBegin && aEnd && bBegin && bEnd && (*aEnd < *bBegin || *bEnd < *aBegin)) return false;
  }
  return true;
}

}  // namespace

std::vector<bool> runOnceKernels(const ir::Graph& graph, const std::vector<Kernel>& kernels) {
  std::vector<bool> once(kernels.size(), false);
  for (size_t i = 0; i < kernels.size(); ++i) {
    const Kernel& k = kernels[i];
    const ir::State& state = graph.state(k.state);
    bool candidate = k.reads.empty() && !k.writes.empty();
    for (ir::EdgeId w : k.writes) {
      const ir::Memlet& write = state.edge(w).memlet;
      candidate = candidate && graph.array(write.data).transient;
      for (size_t j = 0; candidate && j < kernels.size(); ++j) {
        if (j == i) continue;
        for (ir::EdgeId other : kernels[j].writes) {
          const ir::Memlet& o = graph.state(kernels[j].state).edge(other).memlet;
          if (o.data == write.data && mayOverlap(o.subset, write.subset)) candidate = false;
        }
      }
    }
    once[i] = candidate;
  }
  return once;
}

}  // namespace conflux::passes
