#include "targets/cpu/object_cache.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <limits>
#include <sstream>

#include "ir/error.h"
#include "targets/cpu/module_key.h"
#include "targets/cpu/toolchain.h"

namespace conflux::targets::cpu {

std::string moduleText(const Halide::Module& module) {
  std::ostringstream text;
  text.precision(std::numeric_limits<double>::max_digits10);
  text << module;
  return text.str();
}

ObjectCache::ObjectCache(std::filesystem::path dir) : dir_(std::move(dir)) {
  std::error_code error;
  std::filesystem::create_directories(dir_, error);
  if (error)
    throw Error("cannot create the compile cache " + dir_.string() + ": " + error.message());
}

ObjectCache ObjectCache::user() {
  if (const char* dir = std::getenv("CONFLUX_CACHE_DIR"); dir && *dir) return ObjectCache(dir);
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    return ObjectCache(std::filesystem::path(xdg) / "conflux");
  if (const char* home = std::getenv("HOME"); home && *home)
    return ObjectCache(std::filesystem::path(home) / ".cache" / "conflux");
  return ObjectCache(std::filesystem::temp_directory_path() / "conflux-cache");
}

std::filesystem::path ObjectCache::temporaryFor(const std::filesystem::path& path) {
  static std::atomic<int> count{0};
  return path.parent_path() / (".tmp." + std::to_string(getpid()) + "." + std::to_string(count++) +
                               "." + path.filename().string());
}

namespace {

/// Moves `from` into place at `to` (atomically: a reader sees the old entry or the new one).
void publish(const std::filesystem::path& from, const std::filesystem::path& to) {
  std::error_code error;
  std::filesystem::rename(from, to, error);
  if (error) throw Error("cannot write " + to.string() + ": " + error.message());
}

}  // namespace

CachedObject ObjectCache::object(const Halide::Module& module) const {
  std::filesystem::path path = dir_ / (moduleKey(moduleText(module)) + ".o");
  if (std::filesystem::exists(path)) return {path, false};
  std::filesystem::path temporary = temporaryFor(path);
  module.compile({{Halide::OutputFileType::object, temporary.string()}});
  publish(temporary, path);
  return {path, true};
}

std::filesystem::path ObjectCache::runtime(const Halide::Target& target) const {
  std::filesystem::path path = dir_ / ("runtime-" + moduleKey(target.to_string()) + ".o");
  if (std::filesystem::exists(path)) return path;
  std::filesystem::path temporary = temporaryFor(path);
  Halide::compile_standalone_runtime(temporary.string(), target);
  publish(temporary, path);
  return path;
}

std::filesystem::path ObjectCache::sharedLibrary(std::vector<std::filesystem::path> objects) const {
  std::sort(objects.begin(), objects.end());
  objects.erase(std::unique(objects.begin(), objects.end()), objects.end());
  std::string names;
  for (const auto& object : objects) names += object.filename().string() + "\n";
  std::filesystem::path path = dir_ / ("lib" + moduleKey(names) + ".so");
  if (std::filesystem::exists(path)) return path;
  std::filesystem::path temporary = temporaryFor(path);
  // -Bsymbolic: the library's calls into its own Halide runtime stay inside it.
  std::vector<std::string> command{cCompiler(), "-shared", "-o", temporary.string(),
                                   "-Wl,-Bsymbolic"};
  for (const auto& object : objects) command.push_back(object.string());
  command.insert(command.end(), {"-lpthread", "-ldl", "-lm"});
  runTool(command);
  publish(temporary, path);
  return path;
}

}  // namespace conflux::targets::cpu
