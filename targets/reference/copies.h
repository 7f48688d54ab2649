#pragma once
// Element copies between concrete regions of arrays: access -> access edges and the copy-in /
// copy-out of nested graphs.
#include <string>

#include "ir/memlet.h"
#include "ir/tensor.h"
#include "targets/reference/memlet_address.h"

namespace conflux::targets::reference {

/// Copies region `from` of `src` into region `to` of `dst`, both walked in row-major order,
/// combining with the existing values under `wcr`. Throws conflux::Error prefixed with
/// `where` when a region leaves its array, the element counts differ or the dtypes differ.
void copyRegion(const ir::Tensor& src, const Box& from, ir::Tensor& dst, const Box& to,
                ir::Wcr wcr, const std::string& where);

}  // namespace conflux::targets::reference
