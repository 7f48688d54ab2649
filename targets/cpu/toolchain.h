#pragma once
// The system's C toolchain, which links the cpu target's native objects into the shared library
// a program loads: the compiler driver named by $CC, else cc (Debian's build-essential).
#include <string>
#include <vector>

namespace conflux::targets::cpu {

/// The C compiler driver: $CC, else cc.
std::string cCompiler();

/// Runs `argv` (argv[0] looked up on PATH) and waits for it; throws conflux::Error quoting the
/// command and its output when it cannot start or exits with a failure.
void runTool(const std::vector<std::string>& argv);

/// `name` as a C identifier: every character one cannot hold replaced by '_', and "model_"
/// before a leading digit.
std::string cIdentifier(const std::string& name);

}  // namespace conflux::targets::cpu
