#include "targets/cpu/cpu_program.h"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "ir/error.h"
#include "passes/kernels.h"
#include "passes/memory_plan.h"
#include "targets/cpu/array_source.h"
#include "targets/cpu/halide_expr.h"
#include "targets/cpu/kernel_lowering.h"

namespace conflux::targets::cpu {
namespace {

/// A Halide view (no copy) of an array of `shape` stored at `data` in `layout`: dimension 0 is
/// the logical innermost, each with the layout's stride.
Halide::Buffer<> wrap(ir::DType dtype, const std::vector<int64_t>& shape, const ir::Layout& layout, std::byte* data) {
  std::vector<int64_t> strides = layout.strides(shape);
  std::vector<halide_dimension_t> dims;
  for (size_t k = shape.size(); k-- > 0;)
    dims.push_back(halide_dimension_t(0, static_cast<int32_t>(shape[k]), static_cast<int32_t>(strides[k])));
  return Halide::Buffer<>(storageType(dtype), data, static_cast<int>(dims.size()), dims.data());
}

/// True for the arrays the program stores: all but the graph inputs, which are read in place.
bool isStored(const ir::Graph& graph, const std::string& array) {
  return std::find(graph.inputs().begin(), graph.inputs().end(), array) == graph.inputs().end();
}

/// Bytes between consecutive arrays' starts in the arena are a multiple of a cache line.
size_t aligned(size_t offset) { return (offset + 63) / 64 * 64; }

/// Where each stored array of `graph` lives in the arena: the transients of `plan` in one
/// shared region at the start, every other stored array in its own aligned bytes after it.
/// Returns the arena's size.
size_t placeArrays(const ir::Graph& graph, const passes::MemoryPlan& plan, std::map<std::string, size_t>& offsets) {
  size_t end = aligned(static_cast<size_t>(plan.plannedBytes));
  for (const auto& [name, desc] : graph.arrays()) {
    if (!isStored(graph, name)) continue;
    if (auto placed = plan.placements.find(name); placed != plan.placements.end()) {
      offsets[name] = static_cast<size_t>(placed->second.offset);
      continue;
    }
    offsets[name] = end;
    end = aligned(end + static_cast<size_t>(desc.bytes()));
  }
  return end;
}

/// Throws conflux::Error for graph shapes the cpu target does not run yet.
void checkSupported(const ir::Graph& graph) {
  if (graph.states().size() != 1)
    throw Error("the cpu target runs single-state graphs; graph '" + graph.name() + "' has " +
                std::to_string(graph.states().size()) + " states");
  const ir::State& state = graph.state(0);
  for (ir::EdgeId e : state.edgeIds()) {
    const ir::Edge& edge = state.edge(e);
    if (state.node(edge.src).kind() == ir::NodeKind::Access && state.node(edge.dst).kind() == ir::NodeKind::Access)
      throw Error("the cpu target does not lower copies between access nodes yet (" + state.node(edge.src).describe() +
                  " -> " + state.node(edge.dst).describe() + ")");
  }
  for (const auto& [name, desc] : graph.arrays()) {
    halideType(desc.dtype);  // throws for bf16 / f16
    // Callers exchange row-major tensors; transients may take any unblocked layout.
    if ((!desc.transient || graph.constantValue(name)) && !desc.layout.isRowMajor())
      throw Error("the cpu target keeps graph inputs, outputs and constants row-major; array '" + name +
                  "' has layout " + desc.layout.toString());
    if (!desc.layout.blocks.empty())
      throw Error("the cpu target does not lower blocked layouts yet (array '" + name + "', " +
                  desc.layout.toString() + ")");
  }
}

}  // namespace

/// Where one array lives in the arena.
struct Slot {
  ir::DType dtype;
  std::vector<int64_t> shape;
  std::byte* data;
  size_t bytes;
};

/// A graph input: read in place through an image parameter with the input's fixed shape and
/// row-major strides, bound to the caller's tensor at each run.
struct InputBinding {
  ir::DType dtype;
  std::vector<int64_t> shape;
  Halide::ImageParam param;
  Halide::Buffer<> bound;  // wraps the tensor of the current run
};

/// An image parameter for an input of `dtype` and `shape`; `index` makes its name unique.
Halide::ImageParam inputParam(ir::DType dtype, const std::vector<int64_t>& shape, size_t index) {
  Halide::ImageParam param(storageType(dtype), static_cast<int>(shape.size()), "input" + std::to_string(index));
  int32_t stride = 1;
  for (size_t k = 0; k < shape.size(); ++k) {
    int32_t extent = static_cast<int32_t>(shape[shape.size() - 1 - k]);
    param.dim(static_cast<int>(k)).set_bounds(0, extent).set_stride(stride);
    stride *= extent;
  }
  return param;
}

struct CpuProgram::Impl {
  /// Every stored array, placed at compile time (transients sharing bytes by liveness): no
  /// allocation on the hot path, and huge pages (ir::PageAllocator) for large operands.
  std::vector<std::byte, ir::PageAllocator<std::byte>> arena;
  std::vector<std::string> inputs, outputs;
  std::map<std::string, Slot> slots;
  std::map<std::string, ArraySource> sources;
  std::map<std::string, InputBinding> bindings;
  Halide::ParamMap bound;
  std::vector<LoweredKernel> kernels;
};

namespace {

/// Runs one kernel, turning Halide's runtime errors into conflux::Error.
void runKernel(LoweredKernel& kernel, const Halide::ParamMap& inputs) {
  try {
    kernel.run(inputs);
  } catch (const Halide::Error& e) {
    throw Error("kernel " + kernel.name + " failed: " + e.what());
  }
}

}  // namespace

CpuProgram::CpuProgram(const ir::Graph& graph, const ir::TargetDesc& target) : impl_(std::make_unique<Impl>()) {
  checkSupported(graph);
  impl_->inputs = graph.inputs();
  impl_->outputs = graph.outputs();
  std::vector<passes::Kernel> kernels = passes::extractKernels(graph);
  std::vector<bool> once = passes::runOnceKernels(graph, kernels);
  std::map<std::string, size_t> offsets;
  impl_->arena.resize(std::max<size_t>(1, placeArrays(graph, passes::planMemory(graph, kernels, once), offsets)));
  for (const auto& [name, offset] : offsets) {
    const ir::DataDesc& desc = graph.array(name);
    Slot slot{desc.dtype, desc.shape, impl_->arena.data() + offset, static_cast<size_t>(desc.bytes())};
    Halide::Buffer<> view = wrap(desc.dtype, desc.shape, desc.layout, slot.data);
    if (auto value = graph.constantValue(name)) {
      std::memcpy(slot.data, value->bytes(), slot.bytes);
      impl_->sources.emplace(name, ArraySource::constant(view));
    } else {
      impl_->sources.emplace(name, ArraySource::stored(view));
    }
    impl_->slots.emplace(name, std::move(slot));
  }
  for (size_t i = 0; i < impl_->inputs.size(); ++i) {
    const std::string& name = impl_->inputs[i];
    const ir::DataDesc& desc = graph.array(name);
    InputBinding binding{desc.dtype, desc.shape, inputParam(desc.dtype, desc.shape, i), {}};
    impl_->sources.emplace(name, ArraySource::parameter(binding.param));
    impl_->bindings.emplace(name, std::move(binding));
  }
  ArrayLookup lookup = [this](const std::string& array) { return impl_->sources.at(array); };
  for (size_t i = 0; i < kernels.size(); ++i)
    for (LoweredKernel& lowered : lowerKernel(graph, kernels[i], lookup, target)) {
      lowered.load(impl_->bound);  // weights packed once
      if (once[i]) {
        runKernel(lowered, impl_->bound);  // constants into memory no other kernel writes
        continue;
      }
      impl_->kernels.push_back(std::move(lowered));
    }
}

CpuProgram::~CpuProgram() = default;

size_t CpuProgram::numKernels() const { return impl_->kernels.size(); }

void CpuProgram::bindInputs(const std::map<std::string, ir::Tensor>& inputs) {
  for (const std::string& name : impl_->inputs) {
    auto it = inputs.find(name);
    if (it == inputs.end()) throw Error("input '" + name + "' is missing");
    InputBinding& binding = impl_->bindings.at(name);
    if (it->second.dtype() != binding.dtype || it->second.shape() != binding.shape)
      throw Error("input '" + name + "' has the wrong dtype or shape");
    // Kernels only read inputs, so the caller's tensor is read in place.
    binding.bound = wrap(binding.dtype, binding.shape, ir::Layout::rowMajor(binding.shape.size()),
                         const_cast<std::byte*>(it->second.bytes()));
    impl_->bound.set(binding.param, binding.bound);
  }
}

std::map<std::string, ir::Tensor> CpuProgram::run(const std::map<std::string, ir::Tensor>& inputs) {
  bindInputs(inputs);
  for (LoweredKernel& kernel : impl_->kernels) runKernel(kernel, impl_->bound);
  std::map<std::string, ir::Tensor> results;
  for (const std::string& name : impl_->outputs) {
    if (inputs.count(name)) {  // an input passed straight through
      results.emplace(name, inputs.at(name));
      continue;
    }
    const Slot& slot = impl_->slots.at(name);
    ir::Tensor result(slot.dtype, slot.shape, name);
    std::memcpy(result.bytes(), slot.data, slot.bytes);
    results.emplace(name, std::move(result));
  }
  return results;
}

std::map<std::string, double> CpuProgram::profile(const std::map<std::string, ir::Tensor>& inputs, int runs) {
  bindInputs(inputs);
  std::map<std::string, std::vector<double>> samples;
  for (int run = -1; run < runs; ++run) {
    std::map<std::string, double> total;  // pipelines of one kernel add up
    for (LoweredKernel& kernel : impl_->kernels) {
      auto start = std::chrono::steady_clock::now();
      runKernel(kernel, impl_->bound);
      total[kernel.name] += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    }
    if (run >= 0)
      for (const auto& [name, ms] : total) samples[name].push_back(ms);
  }
  std::map<std::string, double> medians;
  for (auto& [name, times] : samples) {
    std::sort(times.begin(), times.end());
    medians[name] = times[times.size() / 2];
  }
  return medians;
}

}  // namespace conflux::targets::cpu
