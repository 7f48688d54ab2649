#pragma once
// Re-declaring the shape of an ONNX model's graph input: a convolutional model exported at one
// image size, run at another (the benchmark's UNet at 1024x1024).
#include <cstdint>
#include <string>
#include <vector>

namespace conflux::frontends {

/// Writes the ONNX model at `modelPath` to `outPath` with graph input `name` declared as `shape`
/// and the shapes of every other value and output dropped, to be inferred again. Throws
/// conflux::Error naming the file for an unreadable model, a name that is no graph input, a
/// shape of another rank, or an unwritable output.
void resizeInput(const std::string& modelPath, const std::string& name,
                 const std::vector<int64_t>& shape, const std::string& outPath);

}  // namespace conflux::frontends
