#include "passes/pass_manager.h"

#include "ir/error.h"
#include "ir/validate.h"
#include "passes/pipelines.h"

namespace conflux::passes {

void runPasses(ir::Graph& graph, const std::vector<std::string>& names, PassContext& context) {
  std::vector<std::unique_ptr<Pass>> passes;
  for (const std::string& name : names) passes.push_back(makePass(name));  // fail before running
  for (const auto& pass : passes) {
    if (context.log) *context.log << "pass " << pass->name() << "\n";
    context.analyses.invalidate(pass->run(graph, context));
    if (context.validateEachPass) {
      try {
        ir::validate(graph);
      } catch (const Error& e) {
        throw InternalError("IR invalid after pass '" + std::string(pass->name()) + "': " + e.what());
      }
    }
    if (context.dump && (context.dumpAfter == "all" || context.dumpAfter == pass->name()))
      context.dump(pass->name(), graph);
  }
}

}  // namespace conflux::passes
