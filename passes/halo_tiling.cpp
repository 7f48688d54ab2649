#include "passes/halo_tiling.h"

#include <algorithm>

#include "passes/kernel_patterns.h"
#include "passes/kernels.h"

namespace conflux::passes {
namespace {

using ir::EdgeId;

bool touches(const ir::State& state, const std::vector<EdgeId>& edges, const std::string& array) {
  return std::any_of(edges.begin(), edges.end(), [&](EdgeId e) { return state.edge(e).memlet.data == array; });
}

/// Why the reader's point read of `array` is not a window that moves with the reader's output:
/// a dimension indexed by a reduction parameter of more than one step and no output parameter
/// (a sum over channels) would need the whole array per output tile.
std::optional<std::string> whyNotWindowed(const ir::State& state, const Kernel& reader, const std::string& array) {
  std::optional<NestedReduction> nested = nestedReduction(state, reader);
  if (!nested) return "its reader " + reader.name + " is no nested reduction";
  const ir::Map& inner = state.mapOf(nested->innerEntry);
  const ir::Map& outer = state.mapOf(nested->outerEntry);
  bool read = false;
  for (EdgeId e : state.inEdges(nested->reduceTasklet)) {
    const ir::Memlet& m = state.edge(e).memlet;
    if (m.data != array) continue;
    read = true;
    for (const ir::Range& r : m.subset.ranges) {
      bool moves = std::any_of(outer.params.begin(), outer.params.end(),
                               [&](const std::string& p) { return r.begin.coefficient(p) != 0; });
      for (size_t i = 0; i < inner.params.size(); ++i)
        if (r.begin.coefficient(inner.params[i]) != 0 && inner.ranges.ranges[i].size().value_or(2) > 1 && !moves)
          return "its reader " + reader.name + " sums over a whole dimension of it";
    }
  }
  if (!read) return "its reader " + reader.name + " reads it outside its reduction";
  return std::nullopt;
}

std::optional<std::string> whyNot(const ir::Graph& graph, const std::vector<Kernel>& kernels, const std::string& array,
                                  int64_t cacheBytes) {
  if (!graph.hasArray(array)) return "there is no array '" + array + "'";
  const ir::DataDesc& desc = graph.array(array);
  const std::string what = "'" + array + "'";
  if (!desc.transient) return what + " is not a transient";
  if (desc.storage != ir::Storage::Global) return what + " is not in global memory";
  if (graph.constantValue(array)) return what + " has a constant value";
  if (desc.bytes() <= cacheBytes)
    return what + " (" + std::to_string(desc.bytes()) + " bytes) fits the cache (" + std::to_string(cacheBytes) + ")";
  std::vector<size_t> writers, readers;
  for (size_t k = 0; k < kernels.size(); ++k) {
    const ir::State& state = graph.state(kernels[k].state);
    if (touches(state, kernels[k].writes, array)) writers.push_back(k);
    if (touches(state, kernels[k].reads, array)) readers.push_back(k);
  }
  if (readers.size() != 1) return what + " is read by " + std::to_string(readers.size()) + " kernels";
  const Kernel& reader = kernels[readers.front()];
  const ir::State& state = graph.state(reader.state);
  size_t computing = 0;
  for (size_t w : writers) {
    const Kernel& writer = kernels[w];
    if (writer.state != reader.state) return what + " is written in another state than its reader's";
    if (w > readers.front()) return what + " is written after its reader";
    if (state.node(writer.root).kind() != ir::NodeKind::MapEntry) return writer.name + " is no map";
    if (!writer.producers.empty()) return writer.name + " computes cache-local arrays itself";
    for (EdgeId e : writer.writes)
      if (state.edge(e).memlet.data != array) return writer.name + " writes more than " + what;
    if (!writer.reads.empty()) ++computing;
  }
  if (computing != 1) return what + " is computed by " + std::to_string(computing) + " kernels";
  for (EdgeId e : reader.writes)
    if (graph.array(state.edge(e).memlet.data).storage != ir::Storage::Global)
      return "its reader " + reader.name + " writes an array outside memory";
  return whyNotWindowed(state, reader, array);
}

class HaloTilingPass final : public Pass {
 public:
  std::string_view name() const override { return "halo-tiling"; }
  Modified run(ir::Graph& graph, PassContext& context) override {
    const std::vector<ir::MemoryLevel>& memories = context.target.memories;
    int tiled = memories.size() >= 2 ? tileHalos(graph, memories[1].bytes) : 0;
    if (context.log) *context.log << "halo-tiling: " << tiled << " arrays cache-local\n";
    // Storage decides which kernels are producers of others: the kernel partition changes.
    return tiled ? Modified::Structure | Modified::Layouts : Modified::None;
  }
};

}  // namespace

std::optional<std::string> whyNotHaloTiled(const ir::Graph& graph, const std::string& array, int64_t cacheBytes) {
  return whyNot(graph, extractKernels(graph), array, cacheBytes);
}

std::vector<std::string> findHaloTilingCandidates(const ir::Graph& graph, int64_t cacheBytes) {
  std::vector<Kernel> kernels = extractKernels(graph);
  std::vector<std::string> candidates;
  for (const auto& [name, desc] : graph.arrays())
    if (!whyNot(graph, kernels, name, cacheBytes)) candidates.push_back(name);
  return candidates;
}

int tileHalos(ir::Graph& graph, int64_t cacheBytes) {
  // One at a time, each checked again: a reader that computes another candidate would become
  // a producer itself (chains of cache-local arrays are not made).
  int tiled = 0;
  for (const std::string& array : findHaloTilingCandidates(graph, cacheBytes))
    if (!whyNotHaloTiled(graph, array, cacheBytes)) {
      graph.array(array).storage = ir::Storage::CacheLocal;
      ++tiled;
    }
  return tiled;
}

bool readsRowBands(const ir::Graph& graph, const Kernel& reader, const std::string& array, const std::string& param) {
  const ir::DataDesc& desc = graph.array(array);
  auto outermost = std::find_if(desc.layout.order.begin(), desc.layout.order.end(),
                                [&](int d) { return desc.shape[static_cast<size_t>(d)] > 1; });
  if (outermost == desc.layout.order.end()) return false;
  const ir::State& state = graph.state(reader.state);
  bool read = false;
  for (ir::NodeId node : reader.nodes)
    for (ir::EdgeId e : state.inEdges(node)) {
      const ir::Memlet& m = state.edge(e).memlet;
      if (m.data != array || state.node(node).kind() != ir::NodeKind::Tasklet) continue;
      read = true;
      for (size_t d = 0; d < m.subset.rank(); ++d)
        if ((m.subset.ranges[d].begin.coefficient(param) != 0) != (static_cast<int>(d) == *outermost)) return false;
    }
  return read;
}

std::unique_ptr<Pass> makeHaloTilingPass() { return std::make_unique<HaloTilingPass>(); }

}  // namespace conflux::passes
