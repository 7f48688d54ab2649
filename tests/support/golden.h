#pragma once
// Golden-file comparison for IR text tests.
#include <string>

namespace conflux::testing {

/// Expects `text` to equal the file CONFLUX_SOURCE_DIR/`relativePath`; with the environment
/// variable CONFLUX_UPDATE_GOLDEN=1 rewrites the file instead (review the diff before committing).
void expectMatchesGolden(const std::string& text, const std::string& relativePath);

}  // namespace conflux::testing
