#pragma once
// What every fusion pass shares: fusing candidates until none is left, and the pass object that
// does so and then propagates memlets.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ir/graph.h"
#include "passes/pass.h"

namespace conflux::passes {

/// Applies `fuse` to the first candidate `find` returns until `find` returns none; returns the
/// number of fusions. Candidates are found afresh after each fusion, which changes the graph.
template <typename Candidate>
int fuseToFixpoint(ir::Graph& graph, std::vector<Candidate> (*find)(const ir::Graph&),
                   void (*fuse)(ir::Graph&, const Candidate&)) {
  int fusions = 0;
  for (std::vector<Candidate> candidates = find(graph); !candidates.empty(); candidates = find(graph)) {
    fuse(graph, candidates.front());
    ++fusions;
  }
  return fusions;
}

/// Candidates {state, entry} for every map entry of `graph` that `whyNot` finds no reason
/// against, in state and node order.
template <typename Candidate>
std::vector<Candidate> legalMapEntries(const ir::Graph& graph,
                                       std::optional<std::string> (*whyNot)(const ir::Graph&, size_t, ir::NodeId)) {
  std::vector<Candidate> candidates;
  for (size_t s = 0; s < graph.states().size(); ++s)
    for (ir::NodeId id : graph.state(s).nodeIds())
      if (graph.state(s).node(id).kind() == ir::NodeKind::MapEntry && !whyNot(graph, s, id))
        candidates.push_back({s, id});
  return candidates;
}

/// The pass `name`: runs `fuseAll`, propagates memlets when it fused anything, and logs
/// "<name>: N fusion(s)".
std::unique_ptr<Pass> makeFusionPass(std::string_view name, int (*fuseAll)(ir::Graph&));

}  // namespace conflux::passes
