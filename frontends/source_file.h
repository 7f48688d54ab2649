#pragma once
// Reading model files into memory, with the size checks every reader needs.
#include <string>

namespace conflux::frontends {

/// The whole content of `path`; throws conflux::Error naming the file when it is missing, is
/// not a regular file, or is larger than 2 GiB (the protobuf limit, and far beyond any graph
/// JSON).
std::string readFileBytes(const std::string& path);

}  // namespace conflux::frontends
