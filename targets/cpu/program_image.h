#pragma once
// A compiled cpu program as data, for ahead-of-time export (static_library.h): its memory as
// loaded (constants in place, weights packed), the pipeline calls each run makes in order, where
// its inputs and outputs live, and the objects that hold its code.
#include <HalideRuntime.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "ir/dtype.h"

namespace conflux::targets::cpu {

struct ProgramImage {
  /// A block of memory the program's buffers point into.
  struct Region {
    const std::byte* data;
    size_t bytes;
  };
  /// One pipeline call: its function and its buffer arguments, the output last.
  struct Call {
    std::string function;
    std::vector<const halide_buffer_t*> buffers;
  };
  /// A graph input (read through `buffer`, whose host pointer each run sets) or output (stored
  /// at `data`, or read from the input `buffer` it passes through).
  struct Tensor {
    std::string name;
    ir::DType dtype;
    std::vector<int64_t> shape;
    size_t bytes;
    const halide_buffer_t* buffer = nullptr;
    const std::byte* data = nullptr;
  };

  std::vector<Region> regions;
  std::vector<Call> calls;
  std::vector<Tensor> inputs, outputs;
  std::vector<std::filesystem::path> objects;  // Halide's runtime among them
  /// The Halide target its code is compiled for ("x86-64-linux-avx-avx2-avx512-...").
  std::string target;
};

}  // namespace conflux::targets::cpu
