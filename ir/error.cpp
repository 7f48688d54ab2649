#include "ir/error.h"

namespace conflux {

void internalAssertFailed(const char* condition, const std::string& message,
                          std::source_location where) {
  throw InternalError(std::string("internal error at ") + where.file_name() + ":" +
                      std::to_string(where.line()) + ": " + condition + " failed: " + message);
}

}  // namespace conflux
