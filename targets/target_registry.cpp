#include "targets/target_registry.h"

#include <map>

#include "ir/error.h"

namespace conflux::targets {

// Defined in the generated target_descs.cpp: {name, JSON text} per target, in CLI order.
extern const std::vector<std::pair<std::string, std::string>> kTargetDescriptionJson;

namespace {

const std::vector<std::pair<std::string, ir::TargetDesc>>& descriptions() {
  static const auto parsed = [] {
    std::vector<std::pair<std::string, ir::TargetDesc>> all;
    for (const auto& [name, json] : kTargetDescriptionJson)
      all.emplace_back(name, ir::targetDescFromJson(json, "targets/" + name + "/target.json"));
    return all;
  }();
  return parsed;
}

}  // namespace

const std::vector<std::string>& targetNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> all;
    for (const auto& [name, desc] : descriptions()) all.push_back(name);
    return all;
  }();
  return names;
}

const ir::TargetDesc& targetDesc(std::string_view name) {
  for (const auto& [n, desc] : descriptions())
    if (n == name) return desc;
  std::string known;
  for (const std::string& n : targetNames()) known += (known.empty() ? "" : ", ") + n;
  throw Error("unknown target '" + std::string(name) + "' (expected " + known + ")");
}

}  // namespace conflux::targets
