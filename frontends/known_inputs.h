#pragma once
// Graph-input values given by the caller (LoadOptions::knownInputs).
#include <map>
#include <string>

#include "frontends/model.h"

namespace conflux::frontends {

/// Applies caller-given input values to a checked, sorted model: an input whose value the
/// frontend needs (it flows, through anything but Shape, into an input that decides a shape or an
/// attribute) becomes a constant and leaves the graph inputs; every other known input stays a
/// run-time input but lends its shape to open dimensions. Throws conflux::Error when a value
/// names no graph input or disagrees with the declared dtype or shape.
void applyKnownInputs(Model& model, const std::map<std::string, ir::Tensor>& knownInputs);

}  // namespace conflux::frontends
