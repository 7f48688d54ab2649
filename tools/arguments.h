#pragma once
// A small command-line argument reader: options are taken by name, the rest are positional;
// anything left unread is a usage error.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace conflux::tools {

/// The words after the command name.
class Arguments {
 public:
  explicit Arguments(std::vector<std::string> words) : words_(std::move(words)) {}

  /// Takes "NAME VALUE"; throws conflux::Error when NAME has no value.
  std::optional<std::string> option(const std::string& name);
  /// Takes "NAME A,B,C" as its comma-separated items.
  std::optional<std::vector<std::string>> listOption(const std::string& name);
  /// Takes "NAME INTEGER"; throws conflux::Error when the value is not a non-negative integer.
  std::optional<int64_t> integerOption(const std::string& name);
  /// Takes a boolean flag.
  bool flag(const std::string& name);
  /// Takes "-O0".."-O3" (the highest one given).
  std::optional<int> level();
  /// Takes the next positional word; throws conflux::Error naming `what` when missing.
  std::string positional(const std::string& what);
  /// Throws conflux::Error naming the first word nobody took.
  void finish() const;

 private:
  std::vector<std::string> words_;
};

/// The integer `text` spells in full, or nullopt.
std::optional<int64_t> integerValue(const std::string& text);

}  // namespace conflux::tools
