#pragma once
// Attention graphs for the attention-fusion tests and the analyses of the fused kernel:
// softmax(mask(scale · q·kᵀ))·v in graph JSON, and the graph attention-fusion starts from.
#include <string>
#include <vector>

#include "ir/graph.h"

namespace conflux::testing {

/// An attention softmax(mask(scale · q·kᵀ))·v over batch dimensions `batch`.
struct AttentionSpec {
  std::vector<int64_t> batch{2, 3};
  int64_t queries = 16, keys = 16, depth = 8, values = 8;
  bool scale = false;
  /// "" (none), "padding" (an additive [batch0, 1, ..., keys] input, BERT's), "causal" (Where
  /// over a constant lower-triangular condition, GPT's, filling `hidden`) or "causal-additive"
  /// (a constant [queries, keys] mask added: 0 where a key is visible, else `hidden`).
  std::string mask;
  /// Causal masks: query row i sees the keys j <= i + diagonal.
  int64_t diagonal = 0;
  double hidden = -1e9;
};

/// The graph JSON of `a`.
std::string attentionJson(const AttentionSpec& a);

/// `json` expanded and fused up to row-fusion, memlets propagated: attention-fusion's input.
ir::Graph rowFused(const std::string& json);

/// `graph` after attention-fusion (which must fuse once), validated.
ir::Graph attentionFused(ir::Graph graph);

}  // namespace conflux::testing
