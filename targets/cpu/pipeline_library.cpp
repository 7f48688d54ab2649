#include "targets/cpu/pipeline_library.h"

#include <cpuid.h>
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>

#include "ir/error.h"
#include "targets/cpu/concurrent_tasks.h"
#include "targets/cpu/module_key.h"
#include "targets/cpu/thread_pool.h"
#include "targets/cpu/cache_eviction.h"
#include "targets/cpu/toolchain.h"

namespace conflux::targets::cpu {
namespace {

/// True when the processor has AVX512-FP16 (CPUID leaf 7, EDX bit 23).
bool hasAvx512Fp16() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  return __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) != 0 && (edx & (1u << 23)) != 0;
}

}  // namespace

Halide::Target compileTarget() {
  static Halide::Target host = [] {
    Halide::Target t = Halide::get_host_target();
    // Halide 14 compiles AVX512_SapphireRapids (VNNI and BF16, which Zen 4 and 5 have too) for
    // LLVM's "sapphirerapids", which includes AVX512-FP16: LLVM then moves 16-bit values with
    // vmovw, an illegal instruction on a processor without FP16 (a bool Or over [3, 4, 5, 6]
    // did). Cannon Lake's AVX-512 is the next level down.
    if (t.has_feature(Halide::Target::AVX512_SapphireRapids) && !hasAvx512Fp16())
      t = t.without_feature(Halide::Target::AVX512_SapphireRapids);
    if (!t.has_feature(Halide::Target::AVX512))
      std::cerr << "conflux: warning: this machine has no AVX-512; the cpu target falls back to "
                << t.to_string() << "\n";
    return t;
  }();
  return host;
}

namespace {

/// The last message Halide's runtime reported, from any thread of any loaded library.
std::mutex errorMutex;
std::string lastError;

void recordError(void*, const char* message) {
  std::lock_guard<std::mutex> lock(errorMutex);
  lastError = message;
}

/// Lowers, once per process, a pipeline with the loops the cpu target's pipelines have: Halide
/// names its helpers (closure_arg, ...) plainly the first time in a process and closure_arg$2
/// after, so without this the first pipeline a process lowers would never match the same
/// pipeline lowered later in another program.
void nameHalidesHelpersOnce() {
  static bool named = [] {
    Halide::ImageParam in(Halide::Float(32), 2, "warm_up_in");
    Halide::Var x("warm_up_x"), y("warm_up_y");
    Halide::RDom k(0, 64, "warm_up_k");
    Halide::Func acc(uniqueFuncName("warm_up_acc")), out(uniqueFuncName("warm_up_out"));
    acc(x, y) = 0.0f;
    acc(x, y) += in(k, y) * in(x, k);
    out(x, y) = acc(x, y);
    out.parallel(y).vectorize(x, 16);
    acc.compute_at(out, y).vectorize(x, 16);
    acc.update().vectorize(x, 16);
    Halide::Pipeline(out).compile_to_module({in}, "warm_up",
                                            compileTarget().with_feature(Halide::Target::NoRuntime));
    return true;
  }();
  (void)named;
}

/// Seconds since `start`.
double since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// The module of `pipeline` lowered into function `name` over `arguments`; throws
/// conflux::Error naming it.
Halide::Module lowerPipeline(Halide::Pipeline& pipeline, const std::vector<Halide::Argument>& arguments,
                             const std::string& name) {
  try {
    Halide::Module module =
        pipeline.compile_to_module(arguments, name, compileTarget().with_feature(Halide::Target::NoRuntime));
    CONFLUX_ASSERT(module.buffers().empty(), name + " embeds a buffer; its code would name an address");
    if (const char* dir = std::getenv("CONFLUX_DEBUG_STMT"))
      std::ofstream(std::string(dir) + "/" + name + ".stmt") << moduleText(module);
    return module;
  } catch (const Halide::Error& e) {
    throw Error("kernel " + name + ": Halide could not lower it: " + e.what());
  }
}

}  // namespace

void NativePipeline::run() const {
  if (int status = entry_(const_cast<void**>(raw_.data())); status != 0) {
    std::lock_guard<std::mutex> lock(errorMutex);
    throw Error("kernel " + name_ + " failed (Halide error " + std::to_string(status) +
                "): " + lastError);
  }
}

PipelineLibrary::PipelineLibrary(const ir::TargetDesc& target, std::optional<std::string> programKey)
    : threads_(std::max(1, target.threads)),
      programKey_(std::move(programKey)),
      cache_(ObjectCache::user()),
      cacheBound_(userCacheBound()) {
  nameHalidesHelpersOnce();
}

PipelineLibrary::~PipelineLibrary() = default;

Halide::ImageParam PipelineLibrary::bind(const std::string& name, const Halide::Buffer<>& buffer) {
  std::string unique = cIdentifier(name);
  for (int n = 2; bound_.count(unique); ++n) unique = cIdentifier(name) + "_" + std::to_string(n);
  Halide::ImageParam param(buffer.type(), buffer.dimensions(), unique);
  for (int k = 0; k < buffer.dimensions(); ++k)
    param.dim(k)
        .set_bounds(buffer.dim(k).min(), buffer.dim(k).extent())
        .set_stride(buffer.dim(k).stride());
  bound_.emplace(unique, buffer);
  return param;
}

std::shared_ptr<const NativePipeline> PipelineLibrary::add(Halide::Pipeline pipeline,
                                                           const Halide::Buffer<>& output,
                                                           const std::string& name) {
  auto native = std::make_shared<NativePipeline>();
  native->name_ = "conflux_" + std::to_string(pending_.size()) + "_" + cIdentifier(name);
  std::vector<Halide::Argument> arguments = pipeline.infer_arguments();
  for (const Halide::Argument& argument : arguments) {
    auto it = bound_.find(argument.name);
    CONFLUX_ASSERT(argument.is_buffer() && it != bound_.end(),
                   native->name_ + " reads '" + argument.name + "', which no buffer is bound to");
    native->buffers_.push_back(it->second);
  }
  native->buffers_.push_back(output);
  for (Halide::Buffer<>& buffer : native->buffers_) native->raw_.push_back(buffer.raw_buffer());
  std::optional<std::string> loweringKey;
  if (programKey_) {
    loweringKey = sha1Hex(*programKey_ + "\n" + native->name_);
    if (std::optional<std::filesystem::path> object = cache_.lowered(*loweringKey)) {
      pending_.push_back({std::nullopt, *object, std::nullopt, native});
      return native;
    }
  }
  ++lowered_;
  pending_.push_back({Lowering{std::move(pipeline), std::move(arguments)}, {}, loweringKey, native});
  return native;
}

void PipelineLibrary::load() {
  bool timed = std::getenv("CONFLUX_DEBUG_COMPILE_TIME") != nullptr;
  // Pipelines are lowered, and the objects the cache lacks compiled, on every core: LLVM's
  // code generation is most of a cold compile (ResNet-50: 36 of 44 s on one), lowering most of
  // the rest, and separate pipelines lower and compile independently (Halide's compiler is
  // thread-safe where no Func is shared; moduleKey ignores the numbers its names get).
  std::vector<Pending*> lowered;
  for (Pending& pending : pending_)
    if (pending.lowering) lowered.push_back(&pending);
  std::vector<std::optional<double>> seconds(lowered.size());  // of those compiled, not found
  runConcurrently(lowered.size(), std::max(1u, std::thread::hardware_concurrency()), [&](size_t i) {
    Pending& pending = *lowered[i];
    auto start = std::chrono::steady_clock::now();
    Halide::Module module =
        lowerPipeline(pending.lowering->pipeline, pending.lowering->arguments, pending.pipeline->name_);
    pending.lowering.reset();  // its Funcs are not needed again
    CachedObject object;
    try {
      object = cache_.object(module);
    } catch (const Halide::Error& e) {
      throw Error("kernel " + pending.pipeline->name_ + ": Halide could not compile it: " + e.what());
    }
    pending.object = object.path;
    if (object.compiled) seconds[i] = since(start);
  });
  for (size_t i = 0; i < lowered.size(); ++i) {
    if (!seconds[i]) continue;
    ++compiled_;
    if (timed) std::cerr << "lower and compile " << lowered[i]->pipeline->name_ << ": " << *seconds[i] << " s\n";
  }
  objects_ = {cache_.runtime(compileTarget())};
  for (const Pending& pending : pending_) objects_.push_back(pending.object);
  auto start = std::chrono::steady_clock::now();
  library_ = std::make_unique<SharedLibrary>(cache_.sharedLibrary(objects_));
  // What this load added may push the cache past its bound; what it uses is spared (just used).
  if (compiled_ > 0) trimCache(cache_.dir(), cacheBound_);
  // Remembered only once linked: an object that did not link is not found by its key again.
  for (const Pending& pending : pending_)
    if (pending.loweringKey) cache_.rememberLowered(*pending.loweringKey, pending.object);
  if (timed)
    std::cerr << "link and load " << pending_.size() << " pipelines: " << since(start) << " s\n";
  using SetParallelFor = halide_do_par_for_t (*)(halide_do_par_for_t);
  using SetErrorHandler = halide_error_handler_t (*)(halide_error_handler_t);
  reinterpret_cast<SetParallelFor>(library_->symbol("halide_set_custom_do_par_for"))(
      parallelLoopsOnPool(threads_));
  reinterpret_cast<SetErrorHandler>(library_->symbol("halide_set_error_handler"))(&recordError);
  for (Pending& pending : pending_)
    pending.pipeline->entry_ =
        reinterpret_cast<int (*)(void**)>(library_->symbol(pending.pipeline->name_ + "_argv"));
  pending_.clear();
}

}  // namespace conflux::targets::cpu
