// The `conflux` command line (shared/CLI.md), thin over api/.
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api/conflux.h"
#include "ir/error.h"
#include "ir/printer.h"
#include "tools/arguments.h"

namespace {

using conflux::Error;
using conflux::tools::Arguments;

constexpr const char* kUsage =
    "usage: conflux optimize MODEL [--target T] [-O0|-O1|-O2|-O3] [--passes a,b,c]\n"
    "                       [--dump-after PASS|all] [-o OUT.json]\n";

std::vector<std::string> splitCommas(const std::string& text) {
  std::vector<std::string> items;
  size_t start = 0;
  for (size_t comma; (comma = text.find(',', start)) != std::string::npos; start = comma + 1)
    items.push_back(text.substr(start, comma - start));
  items.push_back(text.substr(start));
  return items;
}

int runOptimize(Arguments& args) {
  conflux::api::OptimizeOptions options;
  options.target = args.option("--target").value_or("cpu");
  options.level = args.level().value_or(3);
  if (auto passes = args.option("--passes")) options.passes = splitCommas(*passes);
  options.dumpAfter = args.option("--dump-after").value_or("");
  std::optional<std::string> out = args.option("-o");
  std::string model = args.positional("MODEL");
  args.finish();

  options.dump = [](std::string_view pass, const conflux::ir::Graph& g) {
    std::cout << "// IR after " << pass << "\n" << conflux::ir::print(g);
  };
  conflux::ir::Graph graph = conflux::api::load(model);
  conflux::api::optimize(graph, options);
  if (out) conflux::api::save(graph, *out);

  size_t nodes = 0, edges = 0;
  for (const auto& s : graph.states()) {
    nodes += s.numNodes();
    edges += s.numEdges();
  }
  std::cout << "graph " << graph.name() << ": " << graph.states().size() << " state(s), " << nodes
            << " nodes, " << edges << " edges, " << graph.arrays().size() << " arrays";
  if (out) std::cout << "; wrote " << *out;
  std::cout << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> words(argv + 1, argv + argc);
  if (words.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  const std::map<std::string, int (*)(Arguments&)> commands{{"optimize", runOptimize}};
  try {
    auto command = commands.find(words[0]);
    if (command == commands.end())
      throw Error("unknown command '" + words[0] + "'\n" + kUsage);
    Arguments args(std::vector<std::string>(words.begin() + 1, words.end()));
    return command->second(args);
  } catch (const conflux::Error& e) {
    std::cerr << "conflux: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "conflux: internal error: " << e.what() << "\n";
    return 3;
  }
}
