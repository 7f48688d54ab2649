#pragma once
// A shared library loaded into the process (dlopen), its symbols bound when it is loaded and
// kept to itself: two programs' libraries never resolve each other's functions.
#include <filesystem>
#include <string>

namespace conflux::targets::cpu {

/// A loaded shared library, unloaded when destroyed.
class SharedLibrary {
 public:
  /// Loads `path`; throws conflux::Error with the loader's message when it cannot.
  explicit SharedLibrary(const std::filesystem::path& path);
  ~SharedLibrary();
  SharedLibrary(const SharedLibrary&) = delete;
  SharedLibrary& operator=(const SharedLibrary&) = delete;

  /// The address of `name`; throws conflux::Error naming it when the library lacks it.
  void* symbol(const std::string& name) const;

 private:
  std::filesystem::path path_;
  void* handle_;
};

}  // namespace conflux::targets::cpu
