#include "targets/cpu/static_library.h"

#include <Halide.h>

#include <fstream>
#include <map>
#include <sstream>

#include "ir/error.h"
#include "targets/cpu/cache_line.h"
#include "targets/cpu/program_image.h"
#include "targets/cpu/pool_object.h"
#include "targets/cpu/toolchain.h"

#ifndef CONFLUX_HALIDE_INCLUDE_DIR
#error "CONFLUX_HALIDE_INCLUDE_DIR holds HalideRuntime.h, which the generated entry includes"
#endif

namespace conflux::targets::cpu {
namespace {

namespace fs = std::filesystem;

/// The program's memory laid out in one block: each region's offset in it.
struct MemoryLayout {
  std::vector<size_t> offsets;
  size_t bytes = 0;

  explicit MemoryLayout(const ProgramImage& image) {
    for (const ProgramImage::Region& region : image.regions) {
      offsets.push_back(bytes);
      bytes = cacheLineAligned(bytes + region.bytes);
    }
  }

  /// The offset in the block of `host`, which must lie in a region.
  size_t offsetOf(const ProgramImage& image, const void* host, const std::string& function) const {
    auto* p = static_cast<const std::byte*>(host);
    for (size_t r = 0; r < image.regions.size(); ++r)
      if (p >= image.regions[r].data && p < image.regions[r].data + image.regions[r].bytes)
        return offsets[r] + static_cast<size_t>(p - image.regions[r].data);
    throw InternalError(function + " reads a buffer outside the program's memory");
  }
};

void writeFile(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw Error(path.string() + ": cannot write file");
}

void writeBytes(const fs::path& path, const unsigned char* bytes, size_t count) {
  writeFile(path, std::string(reinterpret_cast<const char*>(bytes), count));
}

/// The memory block as one file: each region at its offset, zeros between.
void writeMemory(const ProgramImage& image, const MemoryLayout& layout, const fs::path& path) {
  std::ofstream out(path, std::ios::binary);
  const std::vector<char> zeros(64, 0);
  for (size_t r = 0; r < image.regions.size(); ++r) {
    out.write(reinterpret_cast<const char*>(image.regions[r].data),
              static_cast<std::streamsize>(image.regions[r].bytes));
    size_t end = r + 1 < image.regions.size() ? layout.offsets[r + 1] : layout.bytes;
    out.write(zeros.data(),
              static_cast<std::streamsize>(end - layout.offsets[r] - image.regions[r].bytes));
  }
  if (!out) throw Error(path.string() + ": cannot write file");
}

/// The instruction-set extensions code for `target` uses, as GCC's __builtin_cpu_supports
/// names them.
std::vector<std::string> cpuFeatures(const std::string& target) {
  Halide::Target t(target);
  std::vector<std::string> features;
  auto need = [&](Halide::Target::Feature f, std::initializer_list<const char*> names) {
    if (t.has_feature(f)) features.insert(features.end(), names.begin(), names.end());
  };
  need(Halide::Target::SSE41, {"sse4.1"});
  need(Halide::Target::AVX, {"avx"});
  need(Halide::Target::AVX2, {"avx2", "bmi", "bmi2"});  // Halide's AVX2 code is Haswell's
  need(Halide::Target::FMA, {"fma"});
  need(Halide::Target::AVX512, {"avx512f", "avx512cd"});
  need(Halide::Target::AVX512_Skylake, {"avx512bw", "avx512dq", "avx512vl"});
  need(Halide::Target::AVX512_Cannonlake, {"avx512ifma", "avx512vbmi"});
  need(Halide::Target::AVX512_SapphireRapids, {"avx512vnni", "avx512bf16"});
  return features;
}

std::string joined(const std::vector<std::string>& words, const std::string& separator) {
  std::string text;
  for (const std::string& w : words) text += (text.empty() ? "" : separator) + w;
  return text;
}

std::string shapeText(const std::vector<int64_t>& shape) {
  std::string text = "[";
  for (size_t k = 0; k < shape.size(); ++k) text += (k ? ", " : "") + std::to_string(shape[k]);
  return text + "]";
}

std::string headerText(const ProgramImage& image, const std::string& name) {
  std::ostringstream h;
  h << "// " << name
    << ": a model compiled ahead of time by conflux (cpu target). Generated; do not edit.\n"
    << "// Link lib" << name
    << ".a with -lstdc++ -lpthread -ldl -lm. Tensors are dense and row-major. Parallel\n"
    << "// loops run on conflux's thread pool: HL_NUM_THREADS threads (default: the machine's "
       "cores).\n"
    << "// Built for " << image.target << ": it runs on CPUs with " << joined(cpuFeatures(image.target), ", ")
    << ";\n// elsewhere " << name << "_run prints which are missing and returns -1.\n"
    << "#pragma once\n\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
  auto list = [&](const char* what, const std::vector<ProgramImage::Tensor>& tensors) {
    h << "// " << what << ", in the order " << name << "_run takes them:\n";
    for (size_t i = 0; i < tensors.size(); ++i)
      h << "//   " << i << ": " << tensors[i].name << " " << ir::dtypeName(tensors[i].dtype)
        << shapeText(tensors[i].shape) << " (" << tensors[i].bytes << " bytes)\n";
  };
  list("inputs", image.inputs);
  list("outputs", image.outputs);
  h << "enum { " << name << "_num_inputs = " << image.inputs.size() << ", " << name
    << "_num_outputs = " << image.outputs.size() << " };\n\n"
    << "/// Runs the model on inputs[i] (the elements of input i) into outputs[j] (room for the\n"
    << "/// elements of output j). Returns 0, or Halide's error code after printing its message, or\n"
    << "/// -1 on a CPU without the extensions above.\n"
    << "/// Safe to call from several threads: calls take turns, as the model's memory is static.\n"
    << "int " << name << "_run(const void* const* inputs, void* const* outputs);\n\n"
    << "#ifdef __cplusplus\n}  // extern \"C\"\n#endif\n";
  return h.str();
}

/// The entry's C source: every distinct buffer of the calls as a static halide_buffer_t, placed
/// in the memory block once, the inputs' rebound at each run.
std::string entryText(const ProgramImage& image, const MemoryLayout& layout,
                      const std::string& name) {
  std::map<const halide_buffer_t*, size_t> index;
  std::vector<const halide_buffer_t*> buffers;
  for (const ProgramImage::Call& call : image.calls)
    for (const halide_buffer_t* b : call.buffers)
      if (index.emplace(b, buffers.size()).second) buffers.push_back(b);
  std::map<const halide_buffer_t*, size_t> inputOf;
  for (size_t i = 0; i < image.inputs.size(); ++i) inputOf[image.inputs[i].buffer] = i;

  std::ostringstream c;
  c << "// The entry of " << name
    << ", compiled ahead of time by conflux. Generated; do not edit.\n"
    << "#include <pthread.h>\n#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n#include <unistd.h>\n\n"
    << "#include <HalideRuntime.h>\n\n#include \"" << name << ".h\"\n\n"
    << "extern unsigned char " << name << "_memory[];\n"
    << "extern halide_do_par_for_t conflux_parallel_loops_on_pool(int threads);\n";
  for (const ProgramImage::Call& call : image.calls)
    c << "int " << call.function << "_argv(void**);\n";
  c << "\nstatic halide_dimension_t dims[] = {\n";
  std::vector<size_t> firstDim;
  size_t dimCount = 0;
  for (const halide_buffer_t* b : buffers) {
    firstDim.push_back(dimCount);
    for (int k = 0; k < b->dimensions; ++k, ++dimCount)
      c << "  {" << b->dim[k].min << ", " << b->dim[k].extent << ", " << b->dim[k].stride
        << ", 0},\n";
  }
  c << "  {0, 0, 0, 0}};\n\nstatic halide_buffer_t buffers[] = {\n";
  for (size_t i = 0; i < buffers.size(); ++i)
    c << "  {.type = {.code = (halide_type_code_t)" << int(buffers[i]->type.code)
      << ", .bits = " << int(buffers[i]->type.bits)
      << ", .lanes = 1}, .dimensions = " << buffers[i]->dimensions << ", .dim = &dims["
      << firstDim[i] << "]},\n";
  c << "};\n\n// Each buffer's offset in the memory block, or -1 for an input's.\nstatic const "
       "long long placed[] = {\n";
  for (size_t i = 0; i < buffers.size(); ++i) {
    std::string function;
    for (const ProgramImage::Call& call : image.calls)
      for (const halide_buffer_t* b : call.buffers)
        if (b == buffers[i] && function.empty()) function = call.function;
    c << "  "
      << (inputOf.count(buffers[i])
              ? -1
              : static_cast<long long>(layout.offsetOf(image, buffers[i]->host, function)))
      << ",\n";
  }
  c << "};\n\n";
  for (size_t n = 0; n < image.calls.size(); ++n) {
    c << "static void* call" << n << "[] = {";
    for (const halide_buffer_t* b : image.calls[n].buffers)
      c << "&buffers[" << index.at(b) << "], ";
    c << "0};\n";
  }
  // The code's instruction-set extensions, checked before the first run: a CPU without them
  // gets a message instead of an illegal instruction.
  c << "\n/* 1 when this CPU has every extension the code uses; else prints those it lacks. */\n"
    << "static int cpuSupported(void) {\n  int ok = 1;\n#if defined(__x86_64__)\n  __builtin_cpu_init();\n";
  for (const std::string& feature : cpuFeatures(image.target))
    c << "  if (!__builtin_cpu_supports(\"" << feature << "\")) {\n    fprintf(stderr, \"" << name
      << ": this CPU lacks " << feature << " (built for " << image.target << ")\\n\");\n    ok = 0;\n  }\n";
  c << "#endif\n  return ok;\n}\n";
  // Parallel loops on the pool the JIT's programs use (thread_pool.h), whose object the
  // library carries, rather than on Halide's.
  c << "\n/* The pool's threads: HL_NUM_THREADS, else the machine's cores. */\n"
    << "static int poolThreads(void) {\n  const char* n = getenv(\"HL_NUM_THREADS\");\n"
    << "  if (n && atoi(n) > 0) return atoi(n);\n  long cores = sysconf(_SC_NPROCESSORS_ONLN);\n"
    << "  return cores > 0 ? (int)cores : 1;\n}\n";
  // The run itself, called under the entry's lock: its buffers and memory are static.
  c << "\nstatic int runAlone(const void* const* inputs, void* const* outputs) {\n"
    << "  static int supported = -1;\n  if (supported < 0) supported = cpuSupported();\n"
    << "  if (!supported) return -1;\n"
    << "  static int placedOnce = 0;\n  if (!placedOnce) {\n"
    << "    halide_set_custom_do_par_for(conflux_parallel_loops_on_pool(poolThreads()));\n"
    << "    for (size_t b = 0; b < sizeof placed / sizeof placed[0]; ++b)\n"
    << "      if (placed[b] >= 0) buffers[b].host = " << name << "_memory + placed[b];\n"
    << "    placedOnce = 1;\n  }\n";
  for (const auto& [buffer, i] : inputOf)
    if (index.count(buffer))
      c << "  buffers[" << index.at(buffer) << "].host = (uint8_t*)inputs[" << i << "];\n";
  c << "  int status;\n";
  for (size_t n = 0; n < image.calls.size(); ++n)
    c << "  if ((status = " << image.calls[n].function << "_argv(call" << n
      << ")) != 0) return status;\n";
  for (size_t j = 0; j < image.outputs.size(); ++j) {
    const ProgramImage::Tensor& out = image.outputs[j];
    c << "  memcpy(outputs[" << j << "], ";
    if (out.buffer) {
      c << "inputs[" << inputOf.at(out.buffer) << "]";
    } else {
      c << name << "_memory + " << layout.offsetOf(image, out.data, "output " + out.name);
    }
    c << ", " << out.bytes << ");\n";
  }
  c << "  return 0;\n}\n";
  c << "\nint " << name << "_run(const void* const* inputs, void* const* outputs) {\n"
    << "  static pthread_mutex_t running = PTHREAD_MUTEX_INITIALIZER;\n"
    << "  pthread_mutex_lock(&running);\n  int status = runAlone(inputs, outputs);\n"
    << "  pthread_mutex_unlock(&running);\n  return status;\n}\n";
  return c.str();
}

/// Assembly that places the memory block, read from `memory`, as writable data.
std::string memoryAssembly(const std::string& name, const fs::path& memory, size_t bytes) {
  std::ostringstream s;
  s << "  .section .data\n  .balign 64\n  .globl " << name << "_memory\n  .type " << name
    << "_memory, @object\n"
    << name << "_memory:\n  .incbin \"" << memory.string() << "\"\n  .size " << name << "_memory, "
    << bytes << "\n"
    << "  .section .note.GNU-stack,\"\",@progbits\n";
  return s.str();
}

}  // namespace

std::vector<fs::path> writeStaticLibrary(const CpuProgram& program, const std::string& name,
                                         const fs::path& dir, const StaticLibraryFiles& files) {
  const ProgramImage image = program.image();
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) throw Error(dir.string() + ": cannot create directory: " + error.message());
  std::vector<fs::path> written{dir / (name + ".h")};
  writeFile(written.back(), headerText(image, name));
  MemoryLayout layout(image);
  fs::path entry = dir / (name + "_entry.c");
  writeFile(entry, entryText(image, layout, name));
  if (files.source) written.push_back(entry);
  if (files.library) {
    // The work directory holds a copy of the program's whole memory: removed however this ends.
    fs::path work = dir / (".conflux-" + name);
    struct Cleanup {
      fs::path path;
      ~Cleanup() {
        std::error_code ignored;
        fs::remove_all(path, ignored);
      }
    } cleanup{work};
    fs::create_directories(work, error);
    if (error) throw Error(work.string() + ": cannot create directory: " + error.message());
    writeMemory(image, layout, work / "memory.bin");
    writeBytes(work / "pool.o", kPoolObject, kPoolObjectSize);
    writeFile(work / "memory.s",
              memoryAssembly(name, fs::absolute(work / "memory.bin"), layout.bytes));
    runTool({cCompiler(), "-c", "-O2", "-I", CONFLUX_HALIDE_INCLUDE_DIR, "-I", dir.string(),
             entry.string(), "-o", (work / "entry.o").string()});
    runTool({cCompiler(), "-c", (work / "memory.s").string(), "-o", (work / "memory.o").string()});
    // One object whose pipelines' and pool's names (conflux_*, conflux::) stay inside, so two
    // exported models link into one program (each with a pool of its own); Halide's runtime
    // keeps its weak global names, which such a program shares (its C++ pieces are COMDAT
    // groups, which local copies would break).
    fs::path merged = work / (name + ".o");
    std::vector<std::string> merge{"ld",
                                   "-r",
                                   "-o",
                                   merged.string(),
                                   (work / "entry.o").string(),
                                   (work / "memory.o").string(),
                                   (work / "pool.o").string()};
    for (const fs::path& object : image.objects) merge.push_back(object.string());
    runTool(merge);
    runTool({"objcopy", "--wildcard", "--localize-symbol=conflux_*", "--localize-symbol=_ZN7conflux*",
             "--localize-symbol=" + name + "_memory", merged.string()});
    fs::path archive = dir / ("lib" + name + ".a");
    fs::remove(archive, error);
    runTool({"ar", "rcs", archive.string(), merged.string()});
    written.push_back(archive);
  }
  if (!files.source) fs::remove(entry, error);
  return written;
}

}  // namespace conflux::targets::cpu
