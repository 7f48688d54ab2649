#include "ir/data_desc.h"

#include <algorithm>
#include <array>
#include <numeric>
#include <optional>
#include <sstream>

#include "ir/error.h"

namespace conflux::ir {
namespace {

constexpr std::array<std::pair<Storage, std::string_view>, 5> kStorageNames{{
    {Storage::Global, "global"},
    {Storage::CacheLocal, "cache_local"},
    {Storage::Register, "register"},
    {Storage::GpuShared, "gpu_shared"},
    {Storage::RduOnChip, "rdu_on_chip"},
}};

}  // namespace

std::string_view storageName(Storage storage) {
  for (const auto& [s, name] : kStorageNames)
    if (s == storage) return name;
  CONFLUX_ASSERT(false, "unknown storage enumerator");
}

Storage parseStorage(std::string_view name, const std::string& what) {
  for (const auto& [s, n] : kStorageNames)
    if (n == name) return s;
  throw Error(what + ": unknown storage '" + std::string(name) + "'");
}

Layout Layout::rowMajor(size_t rank) {
  Layout l;
  l.order.resize(rank);
  std::iota(l.order.begin(), l.order.end(), 0);
  return l;
}

bool Layout::isRowMajor() const { return blocks.empty() && *this == rowMajor(order.size()); }

std::vector<int64_t> Layout::physicalShape(const std::vector<int64_t>& shape) const {
  std::vector<int64_t> outer = shape;
  for (const DimBlock& b : blocks) outer[b.dim] = (outer[b.dim] + b.size - 1) / b.size;
  std::vector<int64_t> physical;
  for (int d : order) physical.push_back(outer[d]);
  for (const DimBlock& b : blocks) physical.push_back(b.size);
  return physical;
}

std::vector<int64_t> Layout::strides(const std::vector<int64_t>& shape) const {
  if (!blocks.empty()) throw Error("layout " + toString() + " is blocked: its dimensions have no single stride");
  std::vector<int64_t> result(shape.size(), 1);
  int64_t stride = 1;
  for (auto d = order.rbegin(); d != order.rend(); ++d) {
    result[static_cast<size_t>(*d)] = stride;
    stride *= shape[static_cast<size_t>(*d)];
  }
  return result;
}

int64_t Layout::offset(const std::vector<int64_t>& shape, const std::vector<int64_t>& index) const {
  std::vector<int64_t> outerIndex = index;
  std::vector<int64_t> blockIndex;
  for (const DimBlock& b : blocks) {
    blockIndex.push_back(outerIndex[b.dim] % b.size);
    outerIndex[b.dim] /= b.size;
  }
  std::vector<int64_t> physical = physicalShape(shape);
  int64_t off = 0;
  size_t p = 0;
  for (int d : order) off = off * physical[p++] + outerIndex[d];
  for (int64_t bi : blockIndex) off = off * physical[p++] + bi;
  return off;
}

std::string Layout::toString() const {
  if (isRowMajor()) return "row_major";
  std::ostringstream out;
  out << "order(";
  for (size_t i = 0; i < order.size(); ++i) out << (i ? "," : "") << order[i];
  out << ")";
  if (!blocks.empty()) {
    out << " block(";
    for (size_t i = 0; i < blocks.size(); ++i)
      out << (i ? "," : "") << blocks[i].dim << ":" << blocks[i].size;
    out << ")";
  }
  return out.str();
}

namespace {

std::vector<int64_t> parseIntList(std::string_view body, const std::string& what) {
  std::vector<int64_t> values;
  std::string item;
  std::istringstream in{std::string(body)};
  while (std::getline(in, item, ',')) {
    try {
      size_t used = 0;
      values.push_back(std::stoll(item, &used));
      if (item.find_first_not_of(" ", used) != std::string::npos) throw std::invalid_argument("");
    } catch (const std::exception&) {
      throw Error(what + ": bad integer '" + item + "' in layout");
    }
  }
  return values;
}

/// Returns the text between "name(" and the matching ")" or nothing when absent.
std::optional<std::string_view> section(std::string_view text, std::string_view name,
                                        const std::string& what) {
  size_t at = text.find(std::string(name) + "(");
  if (at == std::string_view::npos) return std::nullopt;
  size_t open = at + name.size() + 1;
  size_t close = text.find(')', open);
  if (close == std::string_view::npos) throw Error(what + ": unclosed '(' in layout");
  return text.substr(open, close - open);
}

}  // namespace

Layout Layout::parse(std::string_view text, size_t rank, const std::string& what) {
  if (text == "row_major") return rowMajor(rank);
  Layout l;
  auto order = section(text, "order", what);
  if (!order) throw Error(what + ": bad layout '" + std::string(text) + "'");
  for (int64_t d : parseIntList(*order, what)) l.order.push_back(static_cast<int>(d));
  std::vector<int> sorted = l.order;
  std::sort(sorted.begin(), sorted.end());
  if (sorted != rowMajor(rank).order)
    throw Error(what + ": layout '" + std::string(text) + "' is not a permutation of " +
                std::to_string(rank) + " dimensions");
  if (auto blocks = section(text, "block", what)) {
    std::string body(*blocks);
    std::istringstream in(body);
    std::string item;
    while (std::getline(in, item, ',')) {
      size_t colon = item.find(':');
      if (colon == std::string::npos) throw Error(what + ": bad block '" + item + "' in layout");
      auto dim = parseIntList(item.substr(0, colon), what);
      auto size = parseIntList(item.substr(colon + 1), what);
      if (dim.size() != 1 || size.size() != 1 || dim[0] < 0 || dim[0] >= static_cast<int64_t>(rank))
        throw Error(what + ": bad block '" + item + "' in layout");
      l.blocks.push_back({static_cast<int>(dim[0]), size[0]});
    }
  }
  return l;
}

int64_t DataDesc::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

}  // namespace conflux::ir
