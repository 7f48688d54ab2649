#pragma once
// What a row kernel computes, read from its tasklets' expressions rather than its structure:
// whether it is a softmax, p = exp(x - m) / l with m the maximum of x over the row and l the sum
// of exp(x - m). A target may then compute it in another order that gives the same values — an
// online softmax over blocks of the row, whose partial results are rescaled as the running
// maximum grows — where the structure alone would not say that this is allowed.
#include <optional>
#include <string>

#include "ir/expr.h"
#include "ir/graph.h"
#include "passes/kernel_patterns.h"

namespace conflux::passes {

/// A row kernel that is a softmax, in its output stage's connectors.
struct SoftmaxForm {
  /// x: the expression of the row's element the softmax normalises (the scores, scaled and
  /// masked as the kernel reads them).
  ir::Expr input;
  /// exp(x - m), with m read through the connector `maximumConnector`.
  ir::Expr exponential;
  std::string maximumConnector;
  /// The reduction stages computing the maximum and the sum of exponentials.
  RowStage maximum, sum;
};

/// The softmax form of `row`, or nothing when its stages compute anything else: exactly two
/// reductions, a maximum of x from -inf and a sum of exp(x - maximum) from 0, each statistic its
/// accumulator unchanged, and an output stage exp(x - maximum) / sum.
std::optional<SoftmaxForm> softmaxForm(const ir::State& state, const RowKernel& row);

/// The softmax form of `attention` when each key reaches a query row's output only through its
/// probability, so that keys may be taken block by block (an online softmax) or a key whose
/// probability is 0 left out: the softmax is a SoftmaxForm whose elements run over the keys from
/// 0 by 1, and the output contraction sums from 0, over the same keys, a probability times a
/// value, no tasklet of it reading a statistic. Nothing otherwise.
std::optional<SoftmaxForm> keywiseSoftmax(const ir::State& state, const AttentionKernel& attention);

}  // namespace conflux::passes
