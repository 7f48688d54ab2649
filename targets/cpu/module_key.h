#pragma once
// The object cache's key of a lowered Halide module, from its printed text (no Halide here).
#include <string>

namespace conflux::targets::cpu {

/// The hex SHA-1 of `text`.
std::string sha1Hex(const std::string& text);

/// The key of a lowered module by its printed text: a hash of the text after the names numbered
/// per process (Halide's v12, t40, r3; uniqueFuncName's f_v7) are renumbered in order of first
/// appearance, so the same pipeline lowered in another process, or after other pipelines, has
/// the same key. Any other difference in the text, down to one digit of a constant, gives
/// another key. `name`, the entry function's, is part of the key as it is.
std::string moduleKey(const std::string& text, const std::string& name);

/// A Func name that no other Func of this process has, so Halide never renames it (`f` made
/// again becomes f$2, a difference moduleKey would keep): `base` and a number moduleKey ignores.
std::string uniqueFuncName(const std::string& base);

}  // namespace conflux::targets::cpu
