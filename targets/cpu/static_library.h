#pragma once
// Ahead-of-time export of a compiled cpu program: a C header and a static library with one entry
// function, for a C or C++ program to link without Conflux, Halide or LLVM. The library holds
// the program's pipeline objects and Halide's runtime (from the object cache), the thread pool
// JIT-compiled programs run their loops on (pool_object.h), the program's memory as loaded
// (constants and packed weights in place, as writable data) and the entry, which binds the
// caller's inputs, runs the pipelines in order and copies the outputs out. Linking it needs
// -lstdc++ -lpthread -ldl -lm.
#include <filesystem>
#include <string>
#include <vector>

#include "targets/cpu/cpu_program.h"

namespace conflux::targets::cpu {

/// What writeStaticLibrary writes besides the header: the library (obj), the entry's C source
/// (source).
struct StaticLibraryFiles {
  bool library = true;
  bool source = false;
};

/// Writes DIR/<name>.h and DIR/lib<name>.a (and DIR/<name>_entry.c when asked) for `program`;
/// `name` must be a C identifier. Returns the paths written. Throws conflux::Error
/// when a tool fails or DIR cannot be written.
std::vector<std::filesystem::path> writeStaticLibrary(const CpuProgram& program,
                                                      const std::string& name,
                                                      const std::filesystem::path& dir,
                                                      const StaticLibraryFiles& files);

}  // namespace conflux::targets::cpu
