#include "ir/target_desc.h"

#include <nlohmann/json.hpp>

#include "ir/error.h"

namespace conflux::ir {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(MemoryLevel, name, bytes, bandwidthGBs)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(TargetDesc, name, vectorLanes, threads, peakGflops,
                                   peakBandwidthGBs, memories)

TargetDesc targetDescFromJson(const std::string& text, const std::string& source) {
  try {
    return nlohmann::json::parse(text).get<TargetDesc>();
  } catch (const nlohmann::json::exception& e) {
    throw Error(source + ": bad target description: " + e.what());
  }
}

std::string toJson(const TargetDesc& desc) { return nlohmann::json(desc).dump(2) + "\n"; }

}  // namespace conflux::ir
