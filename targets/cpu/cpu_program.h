#pragma once
// The cpu target: a graph compiled to native code (a Halide pipeline per kernel output, all
// linked into one shared library through the on-disk object cache), with every array placed
// once, at compile time, in one arena. Halide stays out of this header.
#include <map>
#include <memory>
#include <string>

#include "ir/graph.h"
#include "ir/target_desc.h"
#include "ir/tensor.h"

namespace conflux::targets::cpu {

struct ProgramImage;

/// A compiled graph, ready to run many times. Safe to call from several threads: runs share
/// the program's memory, so they take turns (programs of their own run at the same time).
class CpuProgram {
 public:
  /// Lowers and compiles every kernel of `graph` (library nodes must already be expanded).
  /// Throws conflux::Error naming the kernel for what the cpu target cannot compile yet.
  CpuProgram(const ir::Graph& graph, const ir::TargetDesc& target);
  ~CpuProgram();
  CpuProgram(const CpuProgram&) = delete;
  CpuProgram& operator=(const CpuProgram&) = delete;

  /// Runs on one tensor per graph input (dtype and shape checked); returns the graph outputs.
  std::map<std::string, ir::Tensor> run(const std::map<std::string, ir::Tensor>& inputs);
  /// Runs as `run` does, copying each graph output into the tensor of its name in `outputs`,
  /// which must have its dtype and shape (api::Executable::runInto checks them): no tensor is
  /// made.
  void runInto(const std::map<std::string, ir::Tensor>& inputs, std::map<std::string, ir::Tensor>& outputs);

  /// Runs `runs` times (after one warm-up) and returns each kernel's median time in
  /// milliseconds, by kernel name (passes::extractKernels names).
  std::map<std::string, double> profile(const std::map<std::string, ir::Tensor>& inputs, int runs);

  /// Number of compiled kernels.
  size_t numKernels() const;

  /// Number of pipelines compiled when the program was made; the others were found in the
  /// object cache (targets/cpu/object_cache.h).
  size_t numCompiledPipelines() const;
  /// Number of pipelines lowered when the program was made; the others' objects were found by
  /// the program's key (targets/cpu/lowering_key.h): the graph was compiled before.
  size_t numLoweredPipelines() const;

  /// The program as data, for ahead-of-time export (targets/cpu/program_image.h). It points
  /// into this program, which must outlive it.
  ProgramImage image() const;

 private:
  /// Binds the inputs (read in place by the kernels), checking dtype and shape.
  void bindInputs(const std::map<std::string, ir::Tensor>& inputs);
  /// Binds the inputs and runs every kernel (the caller holds the run lock).
  void runKernels(const std::map<std::string, ir::Tensor>& inputs);

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace conflux::targets::cpu
