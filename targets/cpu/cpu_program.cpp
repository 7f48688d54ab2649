#include "targets/cpu/cpu_program.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <mutex>

#include "ir/error.h"
#include "passes/constant_border.h"
#include "passes/kernels.h"
#include "passes/memory_plan.h"
#include "targets/cpu/array_source.h"
#include "targets/cpu/halide_expr.h"
#include "targets/cpu/kernel_lowering.h"
#include "targets/cpu/lowering_key.h"
#include "targets/cpu/cache_line.h"
#include "targets/cpu/program_image.h"

namespace conflux::targets::cpu {
namespace {

/// A Halide view (no copy) of an array of `shape` stored at `data` in `layout`: dimension 0 is
/// the logical innermost, each with the layout's stride.
Halide::Buffer<> wrap(ir::DType dtype, const std::vector<int64_t>& shape, const ir::Layout& layout,
                      std::byte* data) {
  std::vector<int64_t> strides = layout.strides(shape);
  std::vector<halide_dimension_t> dims;
  for (size_t k = shape.size(); k-- > 0;)
    dims.push_back(
        halide_dimension_t(0, static_cast<int32_t>(shape[k]), static_cast<int32_t>(strides[k])));
  return Halide::Buffer<>(storageType(dtype), data, static_cast<int>(dims.size()), dims.data());
}

/// True for the arrays the program stores: all but the graph inputs, which are read in place,
/// and the cache-local arrays, which their readers compute per tile.
bool isStored(const ir::Graph& graph, const std::string& array) {
  return std::find(graph.inputs().begin(), graph.inputs().end(), array) == graph.inputs().end() &&
         graph.array(array).storage != ir::Storage::CacheLocal;
}

/// Where each stored array of `graph` lives in the arena: the transients of `plan` in one
/// shared region at the start, every other stored array in its own aligned bytes after it.
/// Returns the arena's size.
size_t placeArrays(const ir::Graph& graph, const passes::MemoryPlan& plan,
                   std::map<std::string, size_t>& offsets) {
  size_t end = cacheLineAligned(static_cast<size_t>(plan.plannedBytes));
  for (const auto& [name, desc] : graph.arrays()) {
    if (!isStored(graph, name)) continue;
    if (auto placed = plan.placements.find(name); placed != plan.placements.end()) {
      offsets[name] = static_cast<size_t>(placed->second.offset);
      continue;
    }
    offsets[name] = end;
    end = cacheLineAligned(end + static_cast<size_t>(desc.bytes()));
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
    if (state.node(edge.src).kind() == ir::NodeKind::Access &&
        state.node(edge.dst).kind() == ir::NodeKind::Access)
      throw Error("the cpu target does not lower copies between access nodes yet (" +
                  state.node(edge.src).describe() + " -> " + state.node(edge.dst).describe() + ")");
  }
  for (const auto& [name, desc] : graph.arrays()) {
    halideType(desc.dtype);  // throws for bf16 / f16
    // Callers exchange row-major tensors; transients may take any unblocked layout.
    if ((!desc.transient || graph.constantValue(name)) && !desc.layout.isRowMajor())
      throw Error("the cpu target keeps graph inputs, outputs and constants row-major; array '" +
                  name + "' has layout " + desc.layout.toString());
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

/// A graph input, read in place: a buffer with the input's fixed shape and row-major strides
/// whose host pointer is set to the caller's tensor at each run.
struct InputBinding {
  ir::DType dtype;
  std::vector<int64_t> shape;
  Halide::Buffer<> buffer;
};

struct CpuProgram::Impl {
  Impl(const ir::TargetDesc& target, std::optional<std::string> programKey)
      : library(target, std::move(programKey)) {}

  /// Every stored array, placed at compile time (transients sharing bytes by liveness): no
  /// allocation on the hot path, and huge pages (ir::PageAllocator) for large operands.
  std::vector<std::byte, ir::PageAllocator<std::byte>> arena;
  std::vector<std::string> inputs, outputs;
  std::map<std::string, Slot> slots;
  std::map<std::string, ArraySource> sources;
  std::map<std::string, InputBinding> bindings;
  PipelineLibrary library;  // outlives the kernels, whose functions it holds
  std::vector<LoweredKernel> kernels;
  /// Held by the run in progress: runs share the arena and the inputs' bindings.
  std::mutex running;
};

CpuProgram::CpuProgram(const ir::Graph& graph, const ir::TargetDesc& target)
    : impl_(std::make_unique<Impl>(target, programKey(graph, target))) {
  checkSupported(graph);
  impl_->inputs = graph.inputs();
  impl_->outputs = graph.outputs();
  std::vector<passes::Kernel> kernels = passes::extractKernels(graph);
  std::vector<bool> once = passes::runOnceKernels(graph, kernels);
  std::map<std::string, passes::ConstantBorder> borders = passes::constantBorders(graph, kernels, once);
  std::map<std::string, size_t> offsets;
  impl_->arena.resize(
      std::max<size_t>(1, placeArrays(graph, passes::planMemory(graph, kernels, once), offsets)));
  PipelineLibrary& library = impl_->library;
  for (const auto& [name, offset] : offsets) {
    const ir::DataDesc& desc = graph.array(name);
    Slot slot{desc.dtype, desc.shape, impl_->arena.data() + offset,
              static_cast<size_t>(desc.bytes())};
    Halide::Buffer<> view = wrap(desc.dtype, desc.shape, desc.layout, slot.data);
    auto value = graph.constantValue(name);
    if (value) std::memcpy(slot.data, value->bytes(), slot.bytes);
    std::optional<passes::ConstantBorder> border;
    if (auto it = borders.find(name); it != borders.end()) border = it->second;
    impl_->sources.emplace(name, ArraySource(library.bind(name, view), view,
                                             value ? ArraySource::Kind::Constant : ArraySource::Kind::Stored,
                                             std::move(border)));
    impl_->slots.emplace(name, std::move(slot));
  }
  for (const std::string& name : impl_->inputs) {
    const ir::DataDesc& desc = graph.array(name);
    Halide::Buffer<> unbound =
        wrap(desc.dtype, desc.shape, ir::Layout::rowMajor(desc.shape.size()), nullptr);
    impl_->sources.emplace(
        name, ArraySource(library.bind(name, unbound), unbound, ArraySource::Kind::Input));
    impl_->bindings.emplace(name, InputBinding{desc.dtype, desc.shape, unbound});
  }
  for (const auto& [name, desc] : graph.arrays())
    if (desc.storage == ir::Storage::CacheLocal)
      impl_->sources.emplace(name, ArraySource({}, wrap(desc.dtype, desc.shape, desc.layout, nullptr)));
  ArrayLookup lookup = [this](const std::string& array) { return impl_->sources.at(array); };
  std::vector<std::vector<LoweredKernel>> lowered;
  for (const passes::Kernel& kernel : kernels)
    lowered.push_back(lowerKernel(graph, kernel, lookup, library, target));
  library.load();
  for (size_t i = 0; i < kernels.size(); ++i)
    for (LoweredKernel& kernel : lowered[i]) {
      kernel.load();  // weights packed once
      if (once[i]) {
        kernel.run();  // constants into memory no other kernel writes
        continue;
      }
      impl_->kernels.push_back(std::move(kernel));
    }
}

CpuProgram::~CpuProgram() = default;

size_t CpuProgram::numKernels() const {
  return impl_->kernels.size();
}

size_t CpuProgram::numCompiledPipelines() const {
  return impl_->library.compiled();
}

size_t CpuProgram::numLoweredPipelines() const {
  return impl_->library.lowered();
}

namespace {

/// The call of `pipeline` in a program image.
ProgramImage::Call callOf(const NativePipeline& pipeline) {
  ProgramImage::Call call{pipeline.name(), {}};
  for (void* buffer : pipeline.arguments())
    call.buffers.push_back(static_cast<const halide_buffer_t*>(buffer));
  return call;
}

}  // namespace

ProgramImage CpuProgram::image() const {
  ProgramImage image;
  image.regions.push_back({impl_->arena.data(), impl_->arena.size()});
  for (const LoweredKernel& kernel : impl_->kernels) {
    for (const PackedOperand& pack : kernel.packs) {
      image.regions.push_back({pack.storage().data(), pack.storage().size()});
      if (const NativePipeline* fill = pack.pipeline()) image.calls.push_back(callOf(*fill));
    }
    image.calls.push_back(callOf(*kernel.pipeline));
  }
  for (const std::string& name : impl_->inputs) {
    const InputBinding& binding = impl_->bindings.at(name);
    image.inputs.push_back({name, binding.dtype, binding.shape, binding.buffer.size_in_bytes(),
                            binding.buffer.raw_buffer()});
  }
  for (const std::string& name : impl_->outputs) {
    if (auto input = impl_->bindings.find(name); input != impl_->bindings.end()) {
      image.outputs.push_back({name, input->second.dtype, input->second.shape,
                               input->second.buffer.size_in_bytes(),
                               input->second.buffer.raw_buffer()});
      continue;
    }
    const Slot& slot = impl_->slots.at(name);
    image.outputs.push_back({name, slot.dtype, slot.shape, slot.bytes, nullptr, slot.data});
  }
  image.objects = impl_->library.objects();
  image.target = compileTarget().to_string();
  return image;
}

void CpuProgram::bindInputs(const std::map<std::string, ir::Tensor>& inputs) {
  for (const std::string& name : impl_->inputs) {
    auto it = inputs.find(name);
    if (it == inputs.end()) throw Error("input '" + name + "' is missing");
    InputBinding& binding = impl_->bindings.at(name);
    if (it->second.dtype() != binding.dtype || it->second.shape() != binding.shape)
      throw Error("input '" + name + "' has the wrong dtype or shape");
    // Kernels only read inputs, so the caller's tensor is read in place.
    binding.buffer.raw_buffer()->host =
        reinterpret_cast<uint8_t*>(const_cast<std::byte*>(it->second.bytes()));
  }
}

void CpuProgram::runKernels(const std::map<std::string, ir::Tensor>& inputs) {
  bindInputs(inputs);
  for (LoweredKernel& kernel : impl_->kernels) kernel.run();
}

std::map<std::string, ir::Tensor> CpuProgram::run(const std::map<std::string, ir::Tensor>& inputs) {
  std::lock_guard<std::mutex> oneRunAtATime(impl_->running);
  runKernels(inputs);
  std::map<std::string, ir::Tensor> results;
  for (const std::string& name : impl_->outputs) {
    if (auto input = inputs.find(name); input != inputs.end()) {  // an input passed straight through
      results.emplace(name, input->second);
      continue;
    }
    const Slot& slot = impl_->slots.at(name);
    results.emplace(name, ir::Tensor(slot.dtype, slot.shape, slot.data, name));
  }
  return results;
}

void CpuProgram::runInto(const std::map<std::string, ir::Tensor>& inputs,
                         std::map<std::string, ir::Tensor>& outputs) {
  std::lock_guard<std::mutex> oneRunAtATime(impl_->running);
  runKernels(inputs);
  for (const std::string& name : impl_->outputs) {
    ir::Tensor& out = outputs.at(name);
    auto input = inputs.find(name);
    const std::byte* source = input != inputs.end() ? input->second.bytes() : impl_->slots.at(name).data;
    // memmove: the caller may pass one tensor as an input and as the output that passes it through.
    std::memmove(out.bytes(), source, out.byteSize());
  }
}

std::map<std::string, double> CpuProgram::profile(const std::map<std::string, ir::Tensor>& inputs,
                                                  int runs) {
  std::lock_guard<std::mutex> oneRunAtATime(impl_->running);
  bindInputs(inputs);
  std::map<std::string, std::vector<double>> samples;
  for (int run = -1; run < runs; ++run) {
    std::map<std::string, double> total;  // pipelines of one kernel add up
    for (LoweredKernel& kernel : impl_->kernels) {
      auto start = std::chrono::steady_clock::now();
      kernel.run();
      total[kernel.name] +=
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count();
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
