#pragma once
// The object cache's key of a program before it is lowered: what decides the lowered pipelines
// (the graph, the target description, the code that lowers, Halide's build), hashed: SHA-1 of
// the graph's IR JSON and the rest, with each constant's bytes in a 64-bit hash of their own.
// A program whose key an earlier one had finds each pipeline's object by it without lowering the
// pipeline again, which was most of a cached program's load time (5 of a ResNet-50's 8 s). A
// binary that lowers differently has another GNU build id, so another key.
#include <optional>
#include <string>

#include "ir/graph.h"
#include "ir/target_desc.h"

namespace conflux::targets::cpu {

/// The key of compiling `graph` for `target` with this build of conflux and of Halide, or
/// nothing (no build id to vouch for the code, or CONFLUX_DEBUG_STMT asks for every lowered
/// statement).
std::optional<std::string> programKey(const ir::Graph& graph, const ir::TargetDesc& target);

}  // namespace conflux::targets::cpu
