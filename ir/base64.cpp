#include "ir/base64.h"

#include <array>

#include "ir/error.h"

namespace conflux::ir {
namespace {
constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int, 256> decodeTable() {
  std::array<int, 256> table{};
  for (int& v : table) v = -1;
  for (size_t i = 0; i < kAlphabet.size(); ++i) table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int>(i);
  return table;
}
}  // namespace

std::string base64Encode(const std::byte* data, size_t size) {
  std::string out;
  out.reserve((size + 2) / 3 * 4);
  for (size_t i = 0; i < size; i += 3) {
    uint32_t chunk = std::to_integer<uint32_t>(data[i]) << 16;
    if (i + 1 < size) chunk |= std::to_integer<uint32_t>(data[i + 1]) << 8;
    if (i + 2 < size) chunk |= std::to_integer<uint32_t>(data[i + 2]);
    out += kAlphabet[(chunk >> 18) & 63];
    out += kAlphabet[(chunk >> 12) & 63];
    out += i + 1 < size ? kAlphabet[(chunk >> 6) & 63] : '=';
    out += i + 2 < size ? kAlphabet[chunk & 63] : '=';
  }
  return out;
}

std::vector<std::byte> base64Decode(std::string_view text) {
  static constexpr std::array<int, 256> kTable = decodeTable();
  if (text.size() % 4 != 0) throw Error("base64 text length is not a multiple of 4");
  std::vector<std::byte> out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    uint32_t chunk = 0;
    int padding = 0;
    for (size_t k = 0; k < 4; ++k) {
      char c = text[i + k];
      int v = 0;
      if (c == '=' && i + 4 == text.size() && k >= 2) {
        ++padding;
      } else {
        v = kTable[static_cast<unsigned char>(c)];
        if (v < 0 || padding) throw Error("bad base64 character");
      }
      chunk = chunk << 6 | static_cast<uint32_t>(v);
    }
    out.push_back(static_cast<std::byte>(chunk >> 16));
    if (padding < 2) out.push_back(static_cast<std::byte>((chunk >> 8) & 0xff));
    if (padding < 1) out.push_back(static_cast<std::byte>(chunk & 0xff));
  }
  return out;
}

}  // namespace conflux::ir
