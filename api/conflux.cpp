#include "api/conflux.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "ir/error.h"
#include "ir/serialize_json.h"
#include "ir/validate.h"
#include "passes/pass_manager.h"
#include "passes/pipelines.h"

namespace conflux::api {
namespace {

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open file");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

const std::vector<std::string>& targetNames() {
  static const std::vector<std::string> names{"reference", "cpu", "cuda", "rdu"};
  return names;
}

ir::Graph load(const std::string& path) {
  std::string text = readFile(path);
  if (!ir::isIrJson(text))
    throw Error(path + ": not a model Conflux can read (expected IR JSON with \"format\": "
                       "\"conflux-ir\")");
  ir::Graph graph = ir::fromJson(text, path);
  try {
    ir::validate(graph);
  } catch (const Error& e) {
    throw Error(path + ": " + e.what());
  }
  return graph;
}

void optimize(ir::Graph& graph, const OptimizeOptions& options) {
  const auto& targets = targetNames();
  if (std::find(targets.begin(), targets.end(), options.target) == targets.end())
    throw Error("unknown target '" + options.target + "' (expected reference, cpu, cuda or rdu)");
  std::vector<std::string> names =
      options.passes ? *options.passes : passes::pipeline(options.level, options.target);
  passes::PassContext context;
  context.target.name = options.target;
#ifdef CONFLUX_VALIDATE_EACH_PASS
  context.validateEachPass = true;
#endif
  context.dumpAfter = options.dumpAfter;
  context.dump = options.dump;
  context.log = options.log;
  ir::validate(graph);
  passes::runPasses(graph, names, context);
  ir::validate(graph);
}

void save(const ir::Graph& graph, const std::string& path) {
  std::ofstream out(path, std::ios::binary);
  if (!out) throw Error(path + ": cannot write file");
  out << ir::toJson(graph);
  if (!out) throw Error(path + ": write failed");
}

}  // namespace conflux::api
