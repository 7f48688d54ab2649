#include "ir/node.h"

#include <algorithm>
#include <array>
#include <utility>

#include "ir/error.h"

namespace conflux::ir {
namespace {

constexpr std::array<std::pair<Schedule, std::string_view>, 6> kScheduleNames{{
    {Schedule::Sequential, "sequential"},
    {Schedule::CpuParallel, "cpu_parallel"},
    {Schedule::Vectorized, "vectorized"},
    {Schedule::GpuGrid, "gpu_grid"},
    {Schedule::GpuBlock, "gpu_block"},
    {Schedule::Spatial, "spatial"},
}};

constexpr std::array<std::pair<Expansion, std::string_view>, 4> kExpansionNames{{
    {Expansion::Pure, "pure"},
    {Expansion::Winograd, "winograd"},
    {Expansion::MicroKernel, "micro_kernel"},
    {Expansion::External, "external"},
}};

constexpr std::array<std::string_view, 6> kNodeKindNames{
    "access", "tasklet", "map_entry", "map_exit", "library", "nested_graph"};

bool contains(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

std::string_view scheduleName(Schedule schedule) {
  for (const auto& [s, n] : kScheduleNames)
    if (s == schedule) return n;
  CONFLUX_ASSERT(false, "unknown schedule enumerator");
}

Schedule parseSchedule(std::string_view name) {
  for (const auto& [s, n] : kScheduleNames)
    if (n == name) return s;
  throw Error("unknown map schedule '" + std::string(name) + "'");
}

std::string_view expansionName(Expansion expansion) {
  for (const auto& [e, n] : kExpansionNames)
    if (e == expansion) return n;
  CONFLUX_ASSERT(false, "unknown expansion enumerator");
}

Expansion parseExpansion(std::string_view name) {
  for (const auto& [e, n] : kExpansionNames)
    if (n == name) return e;
  throw Error("unknown library expansion '" + std::string(name) + "'");
}

std::string_view nodeKindName(NodeKind kind) { return kNodeKindNames.at(static_cast<size_t>(kind)); }

std::string Node::describe() const {
  return "n" + std::to_string(id.value) + " (" + std::string(nodeKindName(kind())) + " " + label +
         ")";
}

bool isInConnector(std::string_view conn) { return conn.starts_with("IN_") && conn.size() > 3; }
bool isOutConnector(std::string_view conn) { return conn.starts_with("OUT_") && conn.size() > 4; }

std::string connectorBase(std::string_view conn) {
  if (isInConnector(conn)) return std::string(conn.substr(3));
  if (isOutConnector(conn)) return std::string(conn.substr(4));
  return std::string(conn);
}

bool Node::hasInConnector(std::string_view conn) const {
  switch (kind()) {
    case NodeKind::Access: return conn.empty();
    case NodeKind::Tasklet: return contains(std::get<Tasklet>(payload).inputs, conn);
    case NodeKind::MapEntry:
    case NodeKind::MapExit: return isInConnector(conn);
    case NodeKind::Library: return contains(std::get<LibraryNode>(payload).inputs, conn);
    case NodeKind::NestedGraph: return contains(std::get<NestedGraphNode>(payload).inputs, conn);
  }
  return false;
}

bool Node::hasOutConnector(std::string_view conn) const {
  switch (kind()) {
    case NodeKind::Access: return conn.empty();
    case NodeKind::Tasklet: {
      const auto& outs = std::get<Tasklet>(payload).outputs;
      return std::any_of(outs.begin(), outs.end(), [&](const auto& o) { return o.name == conn; });
    }
    case NodeKind::MapEntry:
    case NodeKind::MapExit: return isOutConnector(conn);
    case NodeKind::Library: return contains(std::get<LibraryNode>(payload).outputs, conn);
    case NodeKind::NestedGraph: return contains(std::get<NestedGraphNode>(payload).outputs, conn);
  }
  return false;
}

}  // namespace conflux::ir
