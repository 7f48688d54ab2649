#include <filesystem>
#include <iostream>

#include "api/conflux.h"
#include "ir/error.h"
#include "tools/commands.h"
#include "tools/model_options.h"

namespace conflux::tools {

int compileCommand(Arguments& args) {
  api::AheadOfTimeOptions aot;
  api::OptimizeOptions options;
  options.target = aot.target = args.option("--target").value_or("cpu");
  options.level = args.level().value_or(3);
  if (auto emit = args.listOption("--emit")) aot.emit = *emit;
  std::optional<std::string> dir = args.option("-o");
  api::LoadOptions loading = loadOptions(args);
  std::string model = args.positional("MODEL");
  args.finish();
  if (!dir) throw Error("compile needs -o DIR, the directory to write the artefacts to");

  ir::Graph graph = api::load(model, loading);
  api::optimize(graph, options);
  std::string name = std::filesystem::path(model).stem().string();
  for (const std::string& path : api::compileAheadOfTime(graph, name, *dir, aot))
    std::cout << "wrote " << path << "\n";
  return 0;
}

}  // namespace conflux::tools
