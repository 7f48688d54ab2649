#include "passes/pipelines.h"

#include <algorithm>

#include "ir/error.h"
#include "passes/attention_fusion.h"
#include "passes/copy_elision.h"
#include "passes/expand_library_nodes.h"
#include "passes/halo_tiling.h"
#include "passes/layout_selection.h"
#include "passes/map_fusion.h"
#include "passes/propagate_memlets_pass.h"
#include "passes/reduction_fusion.h"
#include "passes/row_fusion.h"
#include "passes/winograd_selection.h"

namespace conflux::passes {
namespace {

struct PassEntry {
  std::string_view name;
  std::unique_ptr<Pass> (*make)();
};

// Every pass, by name. Adding a pass means one line here.
const PassEntry kPasses[] = {
    {"attention-fusion", makeAttentionFusionPass},
    {"copy-elision", makeCopyElisionPass},
    {"expand-library-nodes", makeExpandLibraryNodesPass},
    {"halo-tiling", makeHaloTilingPass},
    {"map-fusion", makeMapFusionPass},
    {"propagate-memlets", makePropagateMemletsPass},
    {"reduction-fusion", makeReductionFusionPass},
    {"row-fusion", makeRowFusionPass},
    {"select-layouts", makeSelectLayoutsPass},
    {"winograd-convolutions", makeWinogradSelectionPass},
};

}  // namespace

std::vector<std::string> pipeline(int level, std::string_view target) {
  // Layouts are chosen by the cpu target's cost model, where Winograd's convolutions are
  // measured to pay; the other targets read any layout.
  if (level == 3 && target == "cpu")
    return {"winograd-convolutions", "expand-library-nodes", "map-fusion", "reduction-fusion", "row-fusion", "attention-fusion", "copy-elision", "select-layouts", "halo-tiling", "propagate-memlets"};
  switch (level) {
    // Expansion is lowering, required by every target: it comes first at every level.
    case 0: return {"expand-library-nodes"};
    case 1: return {"expand-library-nodes", "propagate-memlets"};
    case 2: return {"expand-library-nodes", "map-fusion", "propagate-memlets"};
    case 3: return {"expand-library-nodes", "map-fusion", "reduction-fusion", "row-fusion", "attention-fusion", "copy-elision", "propagate-memlets"};
    default: throw Error("unknown optimisation level -O" + std::to_string(level) + " (expected 0-3)");
  }
}

std::vector<std::string> passNames() {
  std::vector<std::string> names;
  for (const PassEntry& p : kPasses) names.emplace_back(p.name);
  std::sort(names.begin(), names.end());
  return names;
}

std::unique_ptr<Pass> makePass(std::string_view name) {
  for (const PassEntry& p : kPasses)
    if (p.name == name) return p.make();
  std::string known;
  for (const std::string& n : passNames()) known += (known.empty() ? "" : ", ") + n;
  throw Error("unknown pass '" + std::string(name) + "' (known passes: " + known + ")");
}

}  // namespace conflux::passes
