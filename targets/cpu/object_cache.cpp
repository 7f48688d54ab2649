#include "targets/cpu/object_cache.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>

#include "ir/error.h"
#include "targets/cpu/module_key.h"
#include "targets/cpu/toolchain.h"

namespace conflux::targets::cpu {

namespace {

/// Every floating-point constant of a statement, in visit order, exactly (hexadecimal).
class FloatConstants : public Halide::Internal::IRVisitor {
 public:
  std::ostringstream list;

 private:
  using Halide::Internal::IRVisitor::visit;
  void visit(const Halide::Internal::FloatImm* op) override {
    list << op->type << ":" << std::hexfloat << op->value << "\n";
  }
};

}  // namespace

std::string moduleText(const Halide::Module& module) {
  // Halide prints constants with a fixed number of decimals (1e-20 prints as 0), so the exact
  // values follow the text.
  std::ostringstream text;
  text << module;
  FloatConstants constants;
  for (const Halide::Internal::LoweredFunc& function : module.functions())
    function.body.accept(&constants);
  return text.str() + "\nfloating-point constants:\n" + constants.list.str();
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

void ObjectCache::markUsed(const std::filesystem::path& path) {
  std::error_code ignored;  // a cache on a read-only file system still serves its entries
  std::filesystem::last_write_time(path, std::filesystem::file_time_type::clock::now(), ignored);
}

bool ObjectCache::publish(const std::filesystem::path& path,
                          const std::function<void(const std::filesystem::path&)>& write) {
  if (std::filesystem::exists(path)) {
    markUsed(path);
    return false;
  }
  static std::atomic<int> count{0};
  std::filesystem::path temporary =
      path.parent_path() / (".tmp." + std::to_string(getpid()) + "." + std::to_string(count++) +
                            "." + path.filename().string());
  std::error_code error;
  try {
    write(temporary);
  } catch (...) {
    std::filesystem::remove(temporary, error);
    throw;
  }
  // A reader sees the old entry or the new one, never a part.
  std::filesystem::rename(temporary, path, error);
  if (error) throw Error("cannot write " + path.string() + ": " + error.message());
  return true;
}

CachedObject ObjectCache::object(const Halide::Module& module) const {
  std::filesystem::path path = dir_ / (moduleKey(moduleText(module), module.name()) + ".o");
  bool compiled = publish(path, [&](const std::filesystem::path& temporary) {
    module.compile({{Halide::OutputFileType::object, temporary.string()}});
  });
  return {path, compiled};
}

std::optional<std::filesystem::path> ObjectCache::lowered(const std::string& loweringKey) const {
  std::filesystem::path entry = dir_ / (loweringKey + ".lowered");
  std::ifstream in(entry);
  std::string name;
  if (!(in >> name)) return std::nullopt;
  std::filesystem::path object = dir_ / name;
  if (!std::filesystem::exists(object)) return std::nullopt;
  markUsed(entry);
  markUsed(object);
  return object;
}

void ObjectCache::rememberLowered(const std::string& loweringKey, const std::filesystem::path& object) const {
  publish(dir_ / (loweringKey + ".lowered"),
          [&](const std::filesystem::path& temporary) { std::ofstream(temporary) << object.filename().string() << "\n"; });
}

std::filesystem::path ObjectCache::runtime(const Halide::Target& target) const {
  std::filesystem::path path = dir_ / ("runtime-" + moduleKey(target.to_string(), "") + ".o");
  publish(path, [&](const std::filesystem::path& temporary) {
    Halide::compile_standalone_runtime(temporary.string(), target);
  });
  return path;
}

std::filesystem::path ObjectCache::sharedLibrary(std::vector<std::filesystem::path> objects) const {
  std::sort(objects.begin(), objects.end());
  objects.erase(std::unique(objects.begin(), objects.end()), objects.end());
  std::string names;
  for (const auto& object : objects) names += object.filename().string() + "\n";
  std::filesystem::path path = dir_ / ("lib" + moduleKey(names, "") + ".so");
  publish(path, [&](const std::filesystem::path& temporary) {
    // -Bsymbolic: the library's calls into its own Halide runtime stay inside it.
    std::vector<std::string> command{cCompiler(), "-shared", "-o", temporary.string(),
                                     "-Wl,-Bsymbolic"};
    for (const auto& object : objects) command.push_back(object.string());
    command.insert(command.end(), {"-lpthread", "-ldl", "-lm"});
    runTool(command);
  });
  return path;
}

const std::filesystem::path& ObjectCache::dir() const { return dir_; }

}  // namespace conflux::targets::cpu
