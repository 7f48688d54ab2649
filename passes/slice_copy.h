#pragma once
// The slice copy: a top-level map around one tasklet `out = in` that reads every element of
// one array once, in order, and writes it into another array of the same element type at a
// constant offset (the interior of a convolution's padded input, a concatenation's slice).
// copy-elision removes such copies; map-fusion keeps a producer stored when one of its readers
// is one, so that copy-elision can store it in place.
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "ir/graph.h"

namespace conflux::passes {

/// A slice copy's nodes, what it copies where, and the access node it writes.
struct SliceCopy {
  ir::NodeId entry, exit, tasklet;
  ir::NodeId destinationNode;
  std::string source, destination;
  std::vector<int64_t> offset;  // element i of the source is element i + offset of the destination
};

/// The slice copy of `source` that the map `entry` of `state` is, or why it is none. Each
/// check is named in the message.
std::variant<SliceCopy, std::string> matchSliceCopy(const ir::Graph& graph, const ir::State& state, ir::NodeId entry,
                                                    const std::string& source);

/// True when the map `entry` of `state` is a slice copy of `source`.
bool isSliceCopy(const ir::Graph& graph, const ir::State& state, ir::NodeId entry, const std::string& source);

}  // namespace conflux::passes
