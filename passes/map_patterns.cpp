#include "passes/map_patterns.h"

#include <algorithm>

namespace conflux::passes {

using ir::EdgeId;
using ir::NodeId;
using ir::NodeKind;

std::optional<NodeId> soleTasklet(const ir::State& state, NodeId entry) {
  std::optional<NodeId> tasklet;
  for (EdgeId e : state.outEdges(entry)) {
    NodeId dst = state.edge(e).dst;
    if (state.node(dst).kind() != NodeKind::Tasklet || (tasklet && *tasklet != dst)) return std::nullopt;
    tasklet = dst;
  }
  if (!tasklet) return std::nullopt;
  NodeId exit = state.exitOf(entry);
  for (EdgeId e : state.outEdges(*tasklet))
    if (state.edge(e).dst != exit) return std::nullopt;
  for (EdgeId e : state.inEdges(exit))
    if (state.edge(e).src != *tasklet) return std::nullopt;
  return tasklet;
}

bool isTopLevel(const ir::State& state, NodeId entry) {
  for (EdgeId e : state.inEdges(entry))
    if (state.node(state.edge(e).src).kind() != NodeKind::Access) return false;
  for (EdgeId e : state.outEdges(state.exitOf(entry)))
    if (state.node(state.edge(e).dst).kind() != NodeKind::Access) return false;
  return true;
}

int accessNodeCount(const ir::Graph& graph, const std::string& data) {
  int count = 0;
  for (const ir::State& s : graph.states())
    for (NodeId id : s.nodeIds())
      if (const auto* access = std::get_if<ir::AccessNode>(&s.node(id).payload))
        count += access->data == data ? 1 : 0;
  return count;
}

bool isPoint(const ir::Subset& subset) {
  return std::all_of(subset.ranges.begin(), subset.ranges.end(),
                     [](const ir::Range& r) { return r.begin == r.end; });
}

std::optional<std::string> soleParameter(const ir::Range& range) {
  if (!(range.begin == range.end) || range.begin.constant() != 0 || range.begin.terms().size() != 1) return std::nullopt;
  const auto& [name, coefficient] = *range.begin.terms().begin();
  if (coefficient != 1) return std::nullopt;
  return name;
}

ir::Subset reindexed(ir::Subset subset, const std::map<std::string, ir::AffineExpr>& index) {
  // Through temporaries, so that the replacements are simultaneous.
  int k = 0;
  for (const auto& [param, value] : index)
    subset = subset.substitute(param, ir::AffineExpr::symbol("__reindex_" + std::to_string(k++)));
  k = 0;
  for (const auto& [param, value] : index) subset = subset.substitute("__reindex_" + std::to_string(k++), value);
  return subset;
}

bool writesEachElementByIndex(const ir::Map& map, const ir::Subset& write, const std::vector<int64_t>& shape) {
  std::optional<std::vector<size_t>> dims = elementDimsOfParams(map, write, shape);
  return dims && dims->size() == shape.size();
}

std::optional<std::vector<size_t>> elementDimsOfParams(const ir::Map& map, const ir::Subset& write,
                                                       const std::vector<int64_t>& shape) {
  if (write.rank() != shape.size()) return std::nullopt;
  std::vector<size_t> dims;
  for (size_t d = 0; d < shape.size(); ++d) {
    size_t k = dims.size();
    const ir::Range& index = write.ranges[d];
    if (k < map.params.size() && index == ir::Range::point(ir::AffineExpr::symbol(map.params[k]))) {
      if (!(map.ranges.ranges[k] == ir::Range::full(shape[d]))) return std::nullopt;
      dims.push_back(d);
    } else if (shape[d] != 1 || !(index == ir::Range::point(ir::AffineExpr(0)))) {
      return std::nullopt;
    }
  }
  if (dims.size() != map.params.size()) return std::nullopt;
  return dims;
}

std::optional<std::vector<size_t>> paramsReadByIndex(const ir::Map& map, const ir::Subset& read,
                                                     const std::vector<int64_t>& shape) {
  if (read.rank() != shape.size()) return std::nullopt;
  std::vector<size_t> params;
  for (size_t k = 0; k < map.params.size(); ++k) {
    size_t d = params.size();
    const ir::Range& range = map.ranges.ranges[k];
    if (d < shape.size() && read.ranges[d] == ir::Range::point(ir::AffineExpr::symbol(map.params[k]))) {
      if (!(range == ir::Range::full(shape[d]))) return std::nullopt;
      params.push_back(k);
    } else if (!(range == ir::Range::point(ir::AffineExpr(0)))) {
      return std::nullopt;
    }
  }
  if (params.size() != shape.size()) return std::nullopt;
  return params;
}

bool writesEachElementAtOffset(const ir::Map& map, const ir::Subset& write, const std::vector<int64_t>& shape) {
  if (map.params.size() != write.rank() || write.rank() != shape.size()) return false;
  for (size_t k = 0; k < map.params.size(); ++k) {
    const ir::Range& index = write.ranges[k];
    const ir::Range& range = map.ranges.ranges[k];
    std::optional<int64_t> last = range.end.constantValue();
    int64_t offset = index.begin.constant();
    if (!(index.begin == index.end) || !(index.begin - offset == ir::AffineExpr::symbol(map.params[k])) ||
        !(range.begin == ir::AffineExpr(0)) || range.step != 1 || !last || offset < 0 || offset + *last >= shape[k])
      return false;
  }
  return true;
}

std::optional<std::vector<std::string>> digitsOf(const ir::Range& index, const ir::Map& map, int64_t extent) {
  if (!(index.begin == index.end) || index.begin.constant() != 0 || index.begin.terms().empty()) return std::nullopt;
  std::vector<std::pair<int64_t, std::string>> digits;  // (coefficient, parameter)
  for (const auto& [p, coefficient] : index.begin.terms()) digits.emplace_back(coefficient, p);
  std::sort(digits.begin(), digits.end());
  std::vector<std::string> params;
  int64_t place = 1;
  for (const auto& [coefficient, p] : digits) {
    auto it = std::find(map.params.begin(), map.params.end(), p);
    if (it == map.params.end() || coefficient != place) return std::nullopt;
    const ir::Range& range = map.ranges.ranges[static_cast<size_t>(it - map.params.begin())];
    std::optional<int64_t> last = range.end.constantValue();
    if (!(range.begin == ir::AffineExpr(0)) || range.step != 1 || !last) return std::nullopt;
    place *= *last + 1;
    params.push_back(p);
  }
  if (place != extent) return std::nullopt;
  return params;
}

bool referencesAny(const ir::Tasklet& tasklet, const std::vector<std::string>& names) {
  for (const ir::TaskletOutput& o : tasklet.outputs)
    for (const std::string& name : ir::referencedNames(o.expr))
      if (std::find(names.begin(), names.end(), name) != names.end()) return true;
  return false;
}

std::set<std::string> arraysRead(const ir::State& state, NodeId entry) {
  std::set<std::string> read;
  for (EdgeId e : state.inEdges(entry))
    if (!state.edge(e).memlet.isEmpty()) read.insert(state.edge(e).memlet.data);
  return read;
}

std::string freshName(const std::string& base, std::set<std::string>& used) {
  std::string name = base;
  for (int k = 1; used.count(name); ++k) name = base + "_" + std::to_string(k);
  used.insert(name);
  return name;
}

std::string freshConnectorBase(const ir::State& state, NodeId scopeNode, const std::string& base) {
  std::set<std::string> used;
  for (EdgeId e : state.inEdges(scopeNode)) used.insert(ir::connectorBase(state.edge(e).dstConn));
  for (EdgeId e : state.outEdges(scopeNode)) used.insert(ir::connectorBase(state.edge(e).srcConn));
  return freshName(base, used);
}

std::vector<std::string> unitedOrigins(const std::vector<std::string>& first, const std::vector<std::string>& second) {
  std::vector<std::string> origins = first;
  for (const std::string& origin : second)
    if (std::find(origins.begin(), origins.end(), origin) == origins.end()) origins.push_back(origin);
  return origins;
}

void mergeProvenance(const ir::Node& from, ir::Node& into) {
  into.label = from.label + "_" + into.label;
  into.origins = unitedOrigins(from.origins, into.origins);
}

}  // namespace conflux::passes
