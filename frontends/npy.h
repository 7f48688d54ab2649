#pragma once
// NumPy .npy files (format versions 1.0-3.0): the tensor exchange format of `conflux run`
// and of graph-JSON constants ("file:NAME.npy").
#include <string>

#include "ir/tensor.h"

namespace conflux::frontends {

/// Reads a .npy file: little-endian, C order, dtype f4/f2/i8/i4/b1 (and <u2 as bfloat16 is not
/// a NumPy type: bf16 files are not read). Throws conflux::Error naming the file on a missing,
/// truncated or corrupt file, Fortran order, or an unsupported dtype.
ir::Tensor readNpy(const std::string& path);

/// Parses .npy bytes; `source` names them in errors.
ir::Tensor parseNpy(const std::string& bytes, const std::string& source);

/// Writes a tensor as a version 1.0 .npy file (bf16 is written as float32).
void writeNpy(const std::string& path, const ir::Tensor& tensor);

/// The file name NAME.npy for a tensor name: characters outside [A-Za-z0-9._-] become '_'.
std::string npyFileName(const std::string& tensorName);

}  // namespace conflux::frontends
