#pragma once
// The native code of one program. Its pipelines read image parameters rather than buffers, so
// their code names no address: each is lowered, compiled through the object cache (or found
// there), and all are linked with Halide's runtime into one shared library that the program
// loads. Each parameter is bound to fixed storage, or to a graph input's buffer whose host
// pointer the program sets at each run; bounds and strides are fixed at compile time all the
// same. Parallel loops run on the target's thread pool.
#include <Halide.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ir/target_desc.h"
#include "targets/cpu/object_cache.h"
#include "targets/cpu/shared_library.h"

namespace conflux::targets::cpu {

/// One pipeline of a library: its function and the buffers it runs on.
class NativePipeline {
 public:
  /// Runs the pipeline on its buffers; throws conflux::Error with Halide's message if it fails.
  void run() const;
  /// The name of its function in the library.
  const std::string& name() const { return name_; }
  /// Its function's arguments: each buffer's halide_buffer_t, the output's last.
  const std::vector<void*>& arguments() const { return raw_; }

 private:
  friend class PipelineLibrary;
  std::string name_;
  int (*entry_)(void**) = nullptr;
  std::vector<Halide::Buffer<>> buffers_;  // each argument's, the output's last
  std::vector<void*> raw_;                 // their halide_buffer_t, the function's arguments
};

/// The target every pipeline is compiled for: the host's, with a warning (once) where it lacks
/// AVX-512.
Halide::Target compileTarget();

/// The pipelines of one program, compiled and loaded together.
class PipelineLibrary {
 public:
  /// An empty library whose pipelines will run their parallel loops on `target.threads` threads.
  /// With a `programKey` (lowering_key.h), a pipeline an earlier library of that key compiled
  /// is found in the object cache by the key and its function's name, without lowering it.
  PipelineLibrary(const ir::TargetDesc& target, std::optional<std::string> programKey);
  ~PipelineLibrary();
  PipelineLibrary(const PipelineLibrary&) = delete;
  PipelineLibrary& operator=(const PipelineLibrary&) = delete;

  /// An image parameter with the element type, bounds and strides of `buffer`, which pipelines
  /// of this library read through it. `name` names it in Halide's messages (made unique).
  Halide::ImageParam bind(const std::string& name, const Halide::Buffer<>& buffer);
  /// Adds `pipeline`, which writes `output` and reads only parameters made by bind(), as a
  /// function named after `name`, to be lowered by load() (or found by the program key now). The
  /// handle runs it once load() has returned.
  std::shared_ptr<const NativePipeline> add(Halide::Pipeline pipeline,
                                            const Halide::Buffer<>& output,
                                            const std::string& name);
  /// Lowers the pipelines added, compiles those the object cache lacks — both on every core —,
  /// links and loads the library.
  void load();
  /// How many pipelines load() compiled; the others came from the object cache.
  size_t compiled() const { return compiled_; }
  /// How many pipelines load() lowered; the others' objects were found by the program key.
  size_t lowered() const { return lowered_; }
  /// The objects load() linked: Halide's runtime and every pipeline's.
  const std::vector<std::filesystem::path>& objects() const { return objects_; }

 private:
  /// A pipeline to lower: its arguments, inferred when it was added.
  struct Lowering {
    Halide::Pipeline pipeline;
    std::vector<Halide::Argument> arguments;
  };
  /// A pipeline added, its function not yet loaded: to be lowered (its object then found or
  /// compiled by the module's key, and remembered by `loweringKey`), or found by that key.
  struct Pending {
    std::optional<Lowering> lowering;
    std::filesystem::path object;
    std::optional<std::string> loweringKey;
    std::shared_ptr<NativePipeline> pipeline;
  };

  int threads_;
  std::optional<std::string> programKey_;
  ObjectCache cache_;
  uint64_t cacheBound_;  // read (and checked) before any compile work
  std::map<std::string, Halide::Buffer<>> bound_;  // by parameter name
  std::vector<Pending> pending_;
  std::vector<std::filesystem::path> objects_;
  std::unique_ptr<SharedLibrary> library_;
  size_t compiled_ = 0;
  size_t lowered_ = 0;
};

}  // namespace conflux::targets::cpu
