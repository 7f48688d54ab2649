#pragma once
// GNU build ids of the code loaded in this process: the linker's hash of an executable or
// shared library, different whenever its code is.
#include <string>

namespace conflux::targets::cpu {

/// The hex build id of the loaded object (executable or shared library) whose code holds
/// `address`, or "" when it has none.
std::string buildIdOfCodeAt(const void* address);

/// The hex build id of the first loaded shared library whose path contains `name`, or "".
std::string buildIdOfLibrary(const std::string& name);

}  // namespace conflux::targets::cpu
