#include "frontends/npy.h"

#include <cctype>
#include <fstream>
#include <regex>
#include <sstream>

#include "frontends/source_file.h"
#include "ir/error.h"

namespace conflux::frontends {
namespace {

constexpr char kMagic[] = "\x93NUMPY";

struct NpyType {
  const char* descr;
  ir::DType dtype;
};
constexpr NpyType kTypes[] = {
    {"<f4", ir::DType::F32}, {"<f2", ir::DType::F16}, {"<i8", ir::DType::I64},
    {"<i4", ir::DType::I32}, {"|b1", ir::DType::Bool},
};

/// The value of `key` in the header dict (e.g. 'descr': '<f4').
std::string headerField(const std::string& header, const std::string& key, const std::string& source) {
  std::regex pattern("'" + key + "'\\s*:\\s*('[^']*'|True|False|\\([^)]*\\))");
  std::smatch match;
  if (!std::regex_search(header, match, pattern))
    throw Error(source + ": corrupt .npy header (no '" + key + "')");
  std::string value = match[1];
  if (value.front() == '\'') value = value.substr(1, value.size() - 2);
  return value;
}

std::vector<int64_t> parseShape(const std::string& text, const std::string& source) {
  std::vector<int64_t> shape;
  std::string inner = text.substr(1, text.size() - 2);
  std::stringstream in(inner);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (item.find_first_not_of(" ") == std::string::npos) continue;
    try {
      size_t used = 0;
      long long d = std::stoll(item, &used);
      if (d < 0) throw std::invalid_argument("negative");
      shape.push_back(d);
    } catch (const std::exception&) {
      throw Error(source + ": corrupt .npy header (bad shape " + text + ")");
    }
  }
  return shape;
}

}  // namespace

ir::Tensor parseNpy(const std::string& bytes, const std::string& source) {
  if (bytes.size() < 10 || bytes.compare(0, 6, kMagic, 6) != 0)
    throw Error(source + ": not a .npy file (bad magic)");
  int major = static_cast<unsigned char>(bytes[6]);
  size_t headerLength = 0, headerStart = 0;
  if (major == 1) {
    headerLength = static_cast<unsigned char>(bytes[8]) | static_cast<unsigned char>(bytes[9]) << 8;
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) throw Error(source + ": truncated .npy file");
    for (int i = 3; i >= 0; --i) headerLength = headerLength << 8 | static_cast<unsigned char>(bytes[8 + i]);
    headerStart = 12;
  } else {
    throw Error(source + ": unsupported .npy version " + std::to_string(major));
  }
  if (headerStart + headerLength > bytes.size()) throw Error(source + ": truncated .npy header");
  std::string header = bytes.substr(headerStart, headerLength);
  std::string descr = headerField(header, "descr", source);
  if (headerField(header, "fortran_order", source) != "False")
    throw Error(source + ": Fortran-order .npy files are not supported");
  std::vector<int64_t> shape = parseShape(headerField(header, "shape", source), source);
  const NpyType* type = nullptr;
  for (const NpyType& t : kTypes)
    if (descr == t.descr) type = &t;
  if (!type)
    throw Error(source + ": unsupported .npy dtype '" + descr +
                "' (expected <f4, <f2, <i8, <i4 or |b1)");
  ir::Tensor tensor(type->dtype, shape, source);
  size_t dataStart = headerStart + headerLength;
  if (bytes.size() - dataStart != tensor.byteSize())
    throw Error(source + ": .npy data has " + std::to_string(bytes.size() - dataStart) +
                " bytes but shape and dtype need " + std::to_string(tensor.byteSize()));
  std::copy(bytes.begin() + static_cast<std::ptrdiff_t>(dataStart), bytes.end(),
            reinterpret_cast<char*>(tensor.bytes()));
  return tensor;
}

ir::Tensor readNpy(const std::string& path) {
  return parseNpy(readFileBytes(path), path);
}

void writeNpy(const std::string& path, const ir::Tensor& input) {
  ir::Tensor tensor = input;
  if (input.dtype() == ir::DType::BF16) {  // NumPy has no bfloat16
    tensor = ir::Tensor(ir::DType::F32, input.shape());
    for (int64_t i = 0; i < input.numElements(); ++i) tensor.set(i, input.at(i));
  }
  const char* descr = nullptr;
  for (const NpyType& t : kTypes)
    if (t.dtype == tensor.dtype()) descr = t.descr;
  std::string shape;
  for (size_t i = 0; i < tensor.shape().size(); ++i)
    shape += (i ? ", " : "") + std::to_string(tensor.shape()[i]);
  if (tensor.shape().size() == 1) shape += ",";
  shape = "(" + shape + ")";
  std::string header = "{'descr': '" + std::string(descr) + "', 'fortran_order': False, 'shape': " +
                       shape + ", }";
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  if (!out) throw Error(path + ": cannot write file");
  out.write(kMagic, 6);
  out.put(1).put(0);
  out.put(static_cast<char>(header.size() & 0xff)).put(static_cast<char>(header.size() >> 8));
  out << header;
  out.write(reinterpret_cast<const char*>(tensor.bytes()), static_cast<std::streamsize>(tensor.byteSize()));
  if (!out) throw Error(path + ": write failed");
}

std::string npyFileName(const std::string& tensorName) {
  std::string name = tensorName;
  for (char& c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) c = '_';
  return name + ".npy";
}

}  // namespace conflux::frontends
