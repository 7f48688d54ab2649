#pragma once
// The Conflux library facade: what frameworks and the CLI call.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "frontends/load_model.h"
#include "ir/graph.h"
#include "ir/target_desc.h"
#include "ir/tensor.h"

namespace conflux::api {

/// The targets Conflux knows, in the order the CLI lists them.
const std::vector<std::string>& targetNames();

/// Throws conflux::Error naming the known targets unless `target` is one of them.
void checkTarget(const std::string& target);

/// Values for graph inputs known when loading (see frontends::LoadOptions): inputs that decide
/// shapes or attributes become constants.
using TensorMap = std::map<std::string, ir::Tensor>;

/// How to read a model: values for some graph inputs, sizes for open dimensions.
using LoadOptions = frontends::LoadOptions;

/// Reads a model: an ONNX file, a graph JSON file (shared/GRAPH_JSON.md) or IR JSON written
/// by `conflux optimize`, and validates it. Throws conflux::Error naming the file (and node
/// or tensor) when it cannot be read or is not a valid model, and when `options` give input
/// values or dimensions for an IR file (whose shapes are fixed).
ir::Graph load(const std::string& path, const LoadOptions& options);
/// load with `knownInputs` as the only option.
ir::Graph load(const std::string& path, const TensorMap& knownInputs = {});

/// How to optimise.
struct OptimizeOptions {
  int level = 3;
  std::string target = "cpu";
  /// Overrides the level's pipeline when set.
  std::optional<std::vector<std::string>> passes;
  /// "all" or a pass name: after it, `dump` receives the graph.
  std::string dumpAfter;
  std::function<void(std::string_view pass, const ir::Graph&)> dump;
  /// One line per pass; may be null.
  std::ostream* log = nullptr;
};

/// Validates `graph`, runs the pipeline and validates the result. Throws conflux::Error for
/// an unknown target, level or pass, and when the graph is invalid.
void optimize(ir::Graph& graph, const OptimizeOptions& options);

/// Writes the graph as IR JSON; throws conflux::Error when the file cannot be written.
void save(const ir::Graph& graph, const std::string& path);

/// A graph compiled for one target, ready to run many times. run and profileKernels may be
/// called from several threads: calls on one Executable take turns (they share its memory),
/// Executables of their own run at the same time. compile may be called from several threads.
class Executable {
 public:
  virtual ~Executable() = default;
  /// Runs on one tensor per graph input; returns one tensor per graph output. Throws
  /// conflux::Error naming the input on a missing input or a dtype / shape mismatch.
  virtual TensorMap run(const TensorMap& inputs) = 0;
  /// Runs as `run` does, writing each graph output into the tensor of its name in `outputs`,
  /// which the caller makes with the output's dtype and shape and may reuse run after run (a
  /// framework's output buffers): the cpu target then makes no tensors. Throws
  /// conflux::Error naming the output, before running, when one is missing or has another
  /// dtype or shape.
  void runInto(const TensorMap& inputs, TensorMap& outputs);
  /// The graph as compiled (library nodes lowered).
  virtual const ir::Graph& graph() const = 0;
  /// Median milliseconds of each kernel (by passes::extractKernels name) over `runs` runs.
  /// Throws conflux::Error for targets that cannot time kernels.
  virtual std::map<std::string, double> profileKernels(const TensorMap& inputs, int runs);

 protected:
  /// runInto once `outputs` are checked: by default `run`, its results copied.
  virtual void writeOutputs(const TensorMap& inputs, TensorMap& outputs);
};

/// Compiles an (optimised) graph for `target`. Library nodes that remain are expanded.
/// Throws conflux::Error for an unknown target or one that cannot run here.
std::unique_ptr<Executable> compile(const ir::Graph& graph, const std::string& target);

/// Compiles an (optimised) graph for the target `target` describes: its name picks the code
/// generator, its numbers (threads, cache sizes) shape the code — a framework describes the
/// machine it runs on. Throws as compile(graph, name) does.
std::unique_ptr<Executable> compile(const ir::Graph& graph, const ir::TargetDesc& target);

/// What compileAheadOfTime writes besides DIR/<name>.h: "obj" (the static library
/// DIR/lib<name>.a), "source" (the entry's C source), "header".
struct AheadOfTimeOptions {
  std::string target = "cpu";
  std::vector<std::string> emit{"obj", "header"};
};

/// Compiles an (optimised) graph ahead of time into DIR: a header declaring one entry function,
/// <name>_run, and a static library a C or C++ program links (targets/cpu/static_library.h).
/// `name` is made a C identifier. Returns the files written. Throws conflux::Error for targets
/// without ahead-of-time output and for artefacts a target does not emit.
std::vector<std::string> compileAheadOfTime(const ir::Graph& graph, const std::string& name,
                                            const std::string& dir,
                                            const AheadOfTimeOptions& options);

}  // namespace conflux::api
