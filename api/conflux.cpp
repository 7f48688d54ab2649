#include "api/conflux.h"

#include <cctype>
#include <cstring>
#include <fstream>
#include <optional>

#include "frontends/load_model.h"
#include "frontends/model.h"
#include "frontends/source_file.h"
#include "ir/error.h"
#include "ir/serialize_json.h"
#include "ir/validate.h"
#include "passes/pass_manager.h"
#include "passes/pipelines.h"
#include "targets/cpu/cpu_program.h"
#include "targets/cpu/static_library.h"
#include "targets/cpu/toolchain.h"
#include "targets/reference/interpreter.h"
#include "targets/target_registry.h"

namespace conflux::api {
namespace {

/// The text of `path` when it holds conflux IR JSON, else nothing. Only a file whose first
/// character other than white space is '{' is read whole for it: a model file of 100 MB of
/// weights (ONNX protobuf never starts with '{') is read once, by its frontend.
std::optional<std::string> irJsonText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open file");
  char first = 0;
  if (!(in >> first) || first != '{') return std::nullopt;
  std::string text = frontends::readFileBytes(path);
  if (!ir::isIrJson(text)) return std::nullopt;
  return text;
}

}  // namespace

const std::vector<std::string>& targetNames() {
  return targets::targetNames();
}

void checkTarget(const std::string& target) {
  targets::targetDesc(target);
}

ir::Graph load(const std::string& path, const TensorMap& knownInputs) {
  return load(path, LoadOptions{knownInputs, {}});
}

ir::Graph load(const std::string& path, const LoadOptions& options) {
  std::optional<std::string> text = irJsonText(path);
  bool given = !options.knownInputs.empty() || !options.dimensions.shapes.empty() ||
               !options.dimensions.named.empty();
  if (text && given)
    throw Error(path +
                ": an IR file has fixed shapes; input values and dimensions apply to "
                "ONNX and graph JSON models");
  ir::Graph graph = text ? ir::fromJson(*text, path) : frontends::loadModel(path, options);
  try {
    ir::validate(graph);
  } catch (const Error& e) {
    throw Error(path + ": " + e.what());
  }
  return graph;
}

void optimize(ir::Graph& graph, const OptimizeOptions& options) {
  checkTarget(options.target);
  std::vector<std::string> names =
      options.passes ? *options.passes : passes::pipeline(options.level, options.target);
  passes::PassContext context;
  context.target = targets::targetDesc(options.target);
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

void Executable::runInto(const TensorMap& inputs, TensorMap& outputs) {
  const ir::Graph& compiled = graph();
  auto described = [](ir::DType dtype, const std::vector<int64_t>& shape) {
    return std::string(ir::dtypeName(dtype)) + " " + frontends::formatShape(shape);
  };
  for (const std::string& name : compiled.outputs()) {
    const ir::DataDesc& desc = compiled.array(name);
    auto it = outputs.find(name);
    // Messages are formatted only on an error: runInto is a framework's per-run call.
    if (it == outputs.end())
      throw Error("output '" + name + "' is missing: runInto writes into a " + described(desc.dtype, desc.shape) +
                  " tensor the caller makes");
    if (it->second.dtype() != desc.dtype || it->second.shape() != desc.shape)
      throw Error("output '" + name + "' is " + described(it->second.dtype(), it->second.shape()) + ", not " +
                  described(desc.dtype, desc.shape));
  }
  writeOutputs(inputs, outputs);
}

void Executable::writeOutputs(const TensorMap& inputs, TensorMap& outputs) {
  for (const auto& [name, result] : run(inputs))
    std::memcpy(outputs.at(name).bytes(), result.bytes(), result.byteSize());
}

std::map<std::string, double> Executable::profileKernels(const TensorMap&, int) {
  throw Error("this target cannot time its kernels; --measure needs the cpu target");
}

namespace {

/// The reference interpreter behind the Executable interface.
class ReferenceExecutable : public Executable {
 public:
  explicit ReferenceExecutable(ir::Graph graph) : graph_(std::move(graph)) {}
  TensorMap run(const TensorMap& inputs) override {
    return targets::reference::run(graph_, inputs);
  }
  const ir::Graph& graph() const override { return graph_; }

 private:
  ir::Graph graph_;
};

/// The cpu target's compiled program behind the Executable interface.
class CpuExecutable : public Executable {
 public:
  CpuExecutable(ir::Graph graph, const ir::TargetDesc& target)
      : graph_(std::move(graph)), program_(graph_, target) {}
  TensorMap run(const TensorMap& inputs) override { return program_.run(inputs); }
  std::map<std::string, double> profileKernels(const TensorMap& inputs, int runs) override {
    return program_.profile(inputs, runs);
  }
  const ir::Graph& graph() const override { return graph_; }

 protected:
  void writeOutputs(const TensorMap& inputs, TensorMap& outputs) override { program_.runInto(inputs, outputs); }

 private:
  ir::Graph graph_;
  targets::cpu::CpuProgram program_;
};

bool hasLibraryNodes(const ir::Graph& graph) {
  for (const ir::State& s : graph.states())
    for (ir::NodeId id : s.nodeIds())
      if (s.node(id).kind() == ir::NodeKind::Library) return true;
  return false;
}

/// `graph` with its remaining library nodes expanded for `target`.
ir::Graph expanded(const ir::Graph& graph, const std::string& target) {
  ir::Graph lowered = graph;
  if (hasLibraryNodes(lowered)) {
    passes::PassContext context;
    context.target.name = target;
    passes::runPasses(lowered, {"expand-library-nodes"}, context);
  }
  return lowered;
}

}  // namespace

std::unique_ptr<Executable> compile(const ir::Graph& graph, const std::string& target) {
  checkTarget(target);
  return compile(graph, targets::targetDesc(target));
}

std::unique_ptr<Executable> compile(const ir::Graph& graph, const ir::TargetDesc& target) {
  checkTarget(target.name);
  ir::Graph lowered = expanded(graph, target.name);
  if (target.name == "reference") return std::make_unique<ReferenceExecutable>(std::move(lowered));
  if (target.name == "cpu") return std::make_unique<CpuExecutable>(std::move(lowered), target);
  throw Error("the '" + target.name +
              "' target cannot run models on this machine yet; use --target cpu or reference");
}

std::vector<std::string> compileAheadOfTime(const ir::Graph& graph, const std::string& name,
                                            const std::string& dir,
                                            const AheadOfTimeOptions& options) {
  checkTarget(options.target);
  if (options.target != "cpu")
    throw Error("the '" + options.target +
                "' target has no ahead-of-time output yet; use --target cpu");
  targets::cpu::StaticLibraryFiles files{false, false};
  for (const std::string& kind : options.emit) {
    if (kind == "obj") {
      files.library = true;
    } else if (kind == "source") {
      files.source = true;
    } else if (kind != "header") {
      throw Error("--emit " + kind + ": the cpu target emits obj, header and source");
    }
  }
  targets::cpu::CpuProgram program(expanded(graph, options.target),
                                   targets::targetDesc(options.target));
  std::vector<std::string> written;
  for (const auto& path : targets::cpu::writeStaticLibrary(program, targets::cpu::cIdentifier(name), dir, files))
    written.push_back(path.string());
  return written;
}

void save(const ir::Graph& graph, const std::string& path) {
  std::ofstream out(path, std::ios::binary);
  if (!out) throw Error(path + ": cannot write file");
  out << ir::toJson(graph);
  if (!out) throw Error(path + ": write failed");
}

}  // namespace conflux::api
