#include "ir/op_attrs.h"

namespace conflux::ir {

std::string_view attrsName(const OpAttrs& attrs) {
  return std::visit([](const auto& a) { return std::decay_t<decltype(a)>::kName; }, attrs);
}

}  // namespace conflux::ir
