#pragma once
// Native code of the cpu target's pipelines, kept on disk so that running a model again does
// not compile it again: one object per lowered pipeline, keyed by a hash of its lowered
// statement (module_key.h; the text names the target), and one shared library per set of objects,
// linked by the system's C compiler. The cache lives in $CONFLUX_CACHE_DIR, else
// $XDG_CACHE_HOME/conflux, else
// ~/.cache/conflux. Entries are written under a temporary name and renamed into place, so
// processes running at once may share it. A small entry per pipeline names its object by the
// key of what it was lowered from (lowering_key.h), so a program seen before loads without
// lowering. Each use of an entry marks it used, for the bound
// that cache_eviction.h keeps.
#include <Halide.h>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace conflux::targets::cpu {

/// The printed text of a lowered module, then its floating-point constants exactly.
std::string moduleText(const Halide::Module& module);

/// An object file of the cache and whether asking for it compiled it.
struct CachedObject {
  std::filesystem::path path;
  bool compiled = false;
};

/// The on-disk cache of native objects and the shared libraries linked from them.
class ObjectCache {
 public:
  /// The cache rooted at `dir`, created when missing.
  explicit ObjectCache(std::filesystem::path dir);
  /// The cache of this user (see the file comment).
  static ObjectCache user();

  /// The object file of `module` (lowered, with no runtime), compiled when the cache lacks it.
  CachedObject object(const Halide::Module& module) const;
  /// The object file remembered for the pipeline of `loweringKey` (lowering_key.h), or
  /// nothing when none is, or it is gone.
  std::optional<std::filesystem::path> lowered(const std::string& loweringKey) const;
  /// Remembers `object` as the pipeline of `loweringKey`'s.
  void rememberLowered(const std::string& loweringKey, const std::filesystem::path& object) const;
  /// The object file of Halide's runtime for `target`, compiled when the cache lacks it.
  std::filesystem::path runtime(const Halide::Target& target) const;
  /// The shared library linking `objects` (each exactly once), linked when the cache lacks it.
  std::filesystem::path sharedLibrary(std::vector<std::filesystem::path> objects) const;
  /// The directory the cache lives in.
  const std::filesystem::path& dir() const;

 private:
  /// Unless `path` exists (then marked used): has `write` write the entry under a fresh name
  /// beside it and renames that into place (removing it if `write` throws). Returns whether it
  /// wrote.
  static bool publish(const std::filesystem::path& path,
                      const std::function<void(const std::filesystem::path&)>& write);
  /// Dates the entry at `path` used now, for the bound of cache_eviction.h.
  static void markUsed(const std::filesystem::path& path);

  std::filesystem::path dir_;
};

}  // namespace conflux::targets::cpu
