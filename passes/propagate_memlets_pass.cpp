#include "passes/propagate_memlets_pass.h"

#include "ir/memlet_propagation.h"

namespace conflux::passes {
namespace {

class PropagateMemletsPass : public Pass {
 public:
  std::string_view name() const override { return "propagate-memlets"; }
  Modified run(ir::Graph& graph, PassContext&) override {
    ir::propagateMemlets(graph);
    return Modified::Memlets;
  }
};

}  // namespace

std::unique_ptr<Pass> makePropagateMemletsPass() { return std::make_unique<PropagateMemletsPass>(); }

}  // namespace conflux::passes
