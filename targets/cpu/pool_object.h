#pragma once
// The object code of thread_pool.cpp (position-independent, without sanitizers), built with
// Conflux for the ahead-of-time libraries it writes (static_library.h): their parallel loops
// run on the pool the JIT-compiled programs run on.
#include <cstddef>

namespace conflux::targets::cpu {

/// The object file's bytes.
extern const unsigned char kPoolObject[];
/// Their count.
extern const std::size_t kPoolObjectSize;

}  // namespace conflux::targets::cpu
