#pragma once
// The nodes of a dataflow state. A Node is an id, a label, the model nodes it came from and
// one payload from a closed list of kinds.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ir/expr.h"
#include "ir/op_attrs.h"
#include "ir/op_kind.h"
#include "ir/subset.h"

namespace conflux::ir {

class Graph;

/// Identifies a node inside its state; stable across edits.
struct NodeId {
  int64_t value = -1;
  auto operator<=>(const NodeId&) const = default;
};

/// Reads or writes an array.
struct AccessNode {
  std::string data;
};

/// One output of a tasklet: `name = expr`.
struct TaskletOutput {
  std::string name;
  Expr expr;
};

/// Scalar code: input connectors feed an expression per output connector.
struct Tasklet {
  std::vector<std::string> inputs;
  std::vector<TaskletOutput> outputs;
};

/// How the iterations of a map are executed.
enum class Schedule { Sequential, CpuParallel, Vectorized, GpuGrid, GpuBlock, Spatial };
std::string_view scheduleName(Schedule schedule);
/// Parses a schedule name; throws conflux::Error on unknown names.
Schedule parseSchedule(std::string_view name);

/// A parallel scope: parameters iterate over ranges (one Range per parameter).
struct Map {
  std::vector<std::string> params;
  Subset ranges;
  Schedule schedule = Schedule::Sequential;
};

/// Opens a map scope. Data enters on connector IN_x and leaves inside on OUT_x.
struct MapEntry {
  Map map;
};

/// Closes the map scope opened by `entry`. Data enters on IN_x and leaves on OUT_x.
struct MapExit {
  NodeId entry;
};

/// How a library node is turned into code: its pure expansion into maps and tasklets, another
/// algorithm's (Winograd's, for a 3x3 Conv: passes/expansions/winograd.h), a micro-kernel or an
/// external library call.
enum class Expansion { Pure, Winograd, MicroKernel, External };
std::string_view expansionName(Expansion expansion);
/// Parses an expansion name; throws conflux::Error on unknown names.
Expansion parseExpansion(std::string_view name);

/// A high-level operation, later expanded into maps and tasklets or a kernel call.
struct LibraryNode {
  OpKind op = OpKind::Identity;
  OpAttrs attrs;
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  Expansion expansion = Expansion::Pure;
};

/// A graph nested in a state; connectors are names of the inner graph's non-transient arrays.
/// The node owns its graph: copying the node copies the graph.
struct NestedGraphNode {
  std::unique_ptr<Graph> graph;
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;

  NestedGraphNode();
  explicit NestedGraphNode(Graph graph, std::vector<std::string> inputs = {},
                           std::vector<std::string> outputs = {});
  NestedGraphNode(const NestedGraphNode& other);
  NestedGraphNode(NestedGraphNode&&) noexcept;
  NestedGraphNode& operator=(const NestedGraphNode& other);
  NestedGraphNode& operator=(NestedGraphNode&&) noexcept;
  ~NestedGraphNode();
};

/// The closed list of node kinds, in the order of the NodePayload alternatives.
enum class NodeKind { Access, Tasklet, MapEntry, MapExit, Library, NestedGraph };
std::string_view nodeKindName(NodeKind kind);

using NodePayload =
    std::variant<AccessNode, Tasklet, MapEntry, MapExit, LibraryNode, NestedGraphNode>;

/// A node of a state.
struct Node {
  NodeId id;
  std::string label;
  /// The model nodes (ONNX node names) this node came from; fusion merges these lists.
  std::vector<std::string> origins;
  NodePayload payload;

  NodeKind kind() const { return static_cast<NodeKind>(payload.index()); }
  /// "n3 (tasklet relu)" — how messages name the node.
  std::string describe() const;
  /// Whether data may enter on `conn` ("" for access nodes, IN_x for scope nodes).
  bool hasInConnector(std::string_view conn) const;
  /// Whether data may leave on `conn` ("" for access nodes, OUT_x for scope nodes).
  bool hasOutConnector(std::string_view conn) const;
};

/// Map-scope connector helpers: "IN_x" <-> "OUT_x".
bool isInConnector(std::string_view conn);
bool isOutConnector(std::string_view conn);
/// The name after the IN_/OUT_ prefix.
std::string connectorBase(std::string_view conn);

}  // namespace conflux::ir
