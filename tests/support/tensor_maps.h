#pragma once
// Expectations over the tensors a run returns, shared by the tests of the targets.
#include "api/conflux.h"

namespace conflux::testing {

/// Expects `actual` to hold exactly the tensors of `expected`: the same names and shapes, and
/// every element equal (bit for bit as doubles).
void expectSameTensors(const api::TensorMap& expected, const api::TensorMap& actual);

}  // namespace conflux::testing
