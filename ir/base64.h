#pragma once
// Base64 (RFC 4648) for embedding tensor bytes in JSON.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace conflux::ir {

/// Encodes bytes as base64 text with '=' padding.
std::string base64Encode(const std::byte* data, size_t size);
/// Decodes base64 text; throws conflux::Error on characters outside the alphabet or bad length.
std::vector<std::byte> base64Decode(std::string_view text);

}  // namespace conflux::ir
