#include "targets/cpu/lowering_key.h"

#include <cstdlib>
#include <functional>
#include <string_view>

#include "ir/serialize_json.h"
#include "targets/cpu/build_id.h"
#include "targets/cpu/module_key.h"
#include "targets/cpu/pipeline_library.h"

namespace conflux::targets::cpu {

std::optional<std::string> programKey(const ir::Graph& graph, const ir::TargetDesc& target) {
  if (std::getenv("CONFLUX_DEBUG_STMT")) return std::nullopt;
  // The object holding this code lowers; Halide's shared library may lower differently when
  // rebuilt under the same version.
  std::string conflux = buildIdOfCodeAt(reinterpret_cast<const void*>(&programKey));
  std::string halide = buildIdOfLibrary("libHalide");
  if (conflux.empty() || halide.empty()) return std::nullopt;
  // The graph's constants (a ResNet-50's 100 MB of weights) are hashed apart from its JSON,
  // by their bytes: printed in base64 and hashed with SHA-1 they cost more than lowering saves.
  ir::Graph structure = graph;
  std::string constants;
  for (const auto& [name, value] : graph.constantValues()) {
    std::string_view bytes(reinterpret_cast<const char*>(value->bytes()), value->byteSize());
    constants += name + " " + std::to_string(bytes.size()) + " " + std::to_string(std::hash<std::string_view>()(bytes)) + "\n";
    structure.removeConstantValue(name);
  }
  return sha1Hex(conflux + "\n" + halide + "\n" + compileTarget().to_string() + "\n" + ir::toJson(target) + "\n" +
                 ir::toJson(structure) + "\n" + constants);
}

}  // namespace conflux::targets::cpu
