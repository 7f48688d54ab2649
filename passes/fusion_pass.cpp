#include "passes/fusion_pass.h"

#include "ir/memlet_propagation.h"

namespace conflux::passes {
namespace {

class FusionPass : public Pass {
 public:
  FusionPass(std::string_view name, int (*fuseAll)(ir::Graph&)) : name_(name), fuseAll_(fuseAll) {}
  std::string_view name() const override { return name_; }
  Modified run(ir::Graph& graph, PassContext& context) override {
    int fusions = fuseAll_(graph);
    if (fusions > 0) ir::propagateMemlets(graph);
    if (context.log) *context.log << name_ << ": " << fusions << " fusion(s)\n";
    return fusions > 0 ? Modified::All : Modified::None;
  }

 private:
  std::string_view name_;
  int (*fuseAll_)(ir::Graph&);
};

}  // namespace

std::unique_ptr<Pass> makeFusionPass(std::string_view name, int (*fuseAll)(ir::Graph&)) {
  return std::make_unique<FusionPass>(name, fuseAll);
}

}  // namespace conflux::passes
