#include <iostream>

#include "api/conflux.h"
#include "ir/printer.h"
#include "passes/data_movement.h"
#include "tools/commands.h"
#include "tools/model_options.h"

namespace conflux::tools {

int optimizeCommand(Arguments& args) {
  api::OptimizeOptions options;
  options.target = args.option("--target").value_or("cpu");
  options.level = args.level().value_or(3);
  options.passes = args.listOption("--passes");
  options.dumpAfter = args.option("--dump-after").value_or("");
  std::optional<std::string> out = args.option("-o");
  api::LoadOptions loading = loadOptions(args);
  std::string model = args.positional("MODEL");
  args.finish();

  options.dump = [](std::string_view pass, const ir::Graph& g) {
    std::cout << "// IR after " << pass << "\n" << ir::print(g);
  };
  ir::Graph graph = api::load(model, loading);
  api::optimize(graph, options);
  if (out) api::save(graph, *out);

  size_t nodes = 0, edges = 0;
  for (const auto& s : graph.states()) {
    nodes += s.numNodes();
    edges += s.numEdges();
  }
  std::cout << "graph " << graph.name() << ": " << graph.states().size() << " state(s), " << nodes
            << " nodes, " << edges << " edges, " << graph.arrays().size() << " arrays";
  if (out) std::cout << "; wrote " << *out;
  std::cout << "\n";
  double bytesMin = 0, bytesMoved = 0;
  std::vector<passes::KernelTraffic> kernels = passes::analyzeDataMovement(graph);
  for (const passes::KernelTraffic& k : kernels) {
    bytesMin += k.bytesMin;
    bytesMoved += k.bytesMoved;
  }
  std::cout << kernels.size() << " kernels; bytes moved " << bytesMoved << " (minimum " << bytesMin
            << ")\n";
  return 0;
}

}  // namespace conflux::tools
