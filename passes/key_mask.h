#pragma once
// Keys a constant mask hides from the query rows of an attention kernel (GPT's causal mask),
// read from the softmax's input expression and the mask's value, so that a target may leave out
// the keys whose probability is exactly 0 instead of computing and discarding them.
#include <cstdint>
#include <optional>
#include <vector>

#include "ir/graph.h"
#include "passes/kernel_patterns.h"

namespace conflux::passes {

/// The least offset c such that every query row i of `attention` (the value of its row map's
/// last parameter) gives each key j >= i + c a probability of exactly 0, when that leaves some
/// row a key to skip. The attention must be keywise (keywiseSoftmax) and its softmax input x a
/// constant mask over the scores:
/// - select(m, s, f) or select(m, f, s), m a constant bool array read one element per key, f a
///   constant of at most -1e9: exp(f - max) is 0 in float32 wherever some unmasked score of the
///   row exceeds f + 104, i.e. whenever the row's scores are of sane magnitude;
/// - s + m or m + s, m a constant array read one element per key, whose masked entries are at
///   most -1e30 (-inf, or float32's lowest as Hugging Face writes it).
/// Nothing otherwise, and when some row has every key masked (its softmax would not be 0 there).
std::optional<int64_t> maskedKeysFrom(const ir::Graph& graph, const ir::State& state,
                                      const AttentionKernel& attention);

/// The share of `attention`'s (query row, key) pairs that maskedKeysFrom leaves visible: key j
/// of row i counts when j < i + offset; 1 when it hides no key.
double visibleKeyShare(const ir::Graph& graph, const ir::State& state, const AttentionKernel& attention);

/// The map entries of `attention` that iterate over its keys: the scores' outer map, each
/// softmax stage's inner map and the inner map of the product with the values. The work inside
/// them is done once per (query row, key) pair.
std::vector<ir::NodeId> keyMapEntries(const AttentionKernel& attention);

}  // namespace conflux::passes
