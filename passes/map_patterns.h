#pragma once
// Queries and rewriting helpers on the shapes fusion passes match: top-level map scopes around
// one tasklet, the access nodes between them, and the index maps that relate their iterations.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace conflux::passes {

/// The one tasklet of a map scope whose body is that tasklet alone, or nothing.
std::optional<ir::NodeId> soleTasklet(const ir::State& state, ir::NodeId entry);

/// True when every edge into the entry and out of the exit touches an access node: the map is
/// not nested in another scope.
bool isTopLevel(const ir::State& state, ir::NodeId entry);

/// Access nodes of `data` in all states of `graph`.
int accessNodeCount(const ir::Graph& graph, const std::string& data);

/// True when every range of `subset` is a single index.
bool isPoint(const ir::Subset& subset);

/// The parameter a range is, alone (the point `p`), or nothing.
std::optional<std::string> soleParameter(const ir::Range& range);

/// `subset` with every parameter in `index` replaced by its expression, simultaneously (a
/// parameter named like one in a replacement is not captured).
ir::Subset reindexed(ir::Subset subset, const std::map<std::string, ir::AffineExpr>& index);

/// True when `write` is exactly the map's parameters in order and the map covers the whole
/// array of `shape` once: iteration p computes element p.
bool writesEachElementByIndex(const ir::Map& map, const ir::Subset& write, const std::vector<int64_t>& shape);

/// The dimension each parameter of `map` indexes when iteration p computes element p of an
/// array of `shape` whose other dimensions have one element, written at 0 (a reshape's
/// [L, D] -> [L, 1, D]): the parameters index the remaining dimensions in order and cover each
/// once. Nothing otherwise.
std::optional<std::vector<size_t>> elementDimsOfParams(const ir::Map& map, const ir::Subset& write,
                                                       const std::vector<int64_t>& shape);

/// The parameter of `map` at which iteration p reads each dimension of an array of `shape` when
/// it reads element p and its other parameters take the value 0 alone (a consumer's batch of one
/// that the array does not have): the read is those parameters in order, each covering its
/// dimension once. Nothing otherwise.
std::optional<std::vector<size_t>> paramsReadByIndex(const ir::Map& map, const ir::Subset& read,
                                                     const std::vector<int64_t>& shape);

/// True when `write` is the map's parameters in order, each shifted by a constant, and the
/// shifted iteration space lies inside an array of `shape`: iteration p computes element
/// p + offset (a copy into the interior of a padded array).
bool writesEachElementAtOffset(const ir::Map& map, const ir::Subset& write, const std::vector<int64_t>& shape);

/// The parameters of `map` whose digits make up the point `index` exactly once over
/// [0, extent), innermost digit first: one parameter covering the dimension, or several in mixed
/// radix (a transposed convolution's output column 2*w + b over w < W, b < 2; a reshape's
/// 64*h + d), each running from 0 in unit steps, the smallest coefficient 1 and each next one the
/// product of the extents below it. Nothing otherwise.
std::optional<std::vector<std::string>> digitsOf(const ir::Range& index, const ir::Map& map, int64_t extent);

/// True when an output expression of `tasklet` names one of `names`.
bool referencesAny(const ir::Tasklet& tasklet, const std::vector<std::string>& names);

/// The arrays a map scope reads (outer memlets into its entry).
std::set<std::string> arraysRead(const ir::State& state, ir::NodeId entry);

/// A name not in `used`, built from `base` ("base", "base_1", ...); records it as used.
std::string freshName(const std::string& base, std::set<std::string>& used);

/// A connector base free on a scope node (neither IN_x nor OUT_x uses it), built from `base`.
std::string freshConnectorBase(const ir::State& state, ir::NodeId scopeNode, const std::string& base);

/// `first` then the entries of `second` not in it.
std::vector<std::string> unitedOrigins(const std::vector<std::string>& first, const std::vector<std::string>& second);

/// The labels joined by "_" and the origins united (first-seen order) of `from` and `into`,
/// stored into `into`: a fused node names what it came from.
void mergeProvenance(const ir::Node& from, ir::Node& into);

}  // namespace conflux::passes
