#include "targets/cpu/shared_library.h"

#include <dlfcn.h>

#include "ir/error.h"

namespace conflux::targets::cpu {

SharedLibrary::SharedLibrary(const std::filesystem::path& path)
    : path_(path), handle_(dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL)) {
  if (!handle_) throw Error("cannot load " + path.string() + ": " + dlerror());
}

SharedLibrary::~SharedLibrary() {
  dlclose(handle_);
}

void* SharedLibrary::symbol(const std::string& name) const {
  void* address = dlsym(handle_, name.c_str());
  if (!address) throw Error(path_.string() + " has no symbol " + name);
  return address;
}

}  // namespace conflux::targets::cpu
