#include "frontends/source_file.h"

#include <filesystem>
#include <fstream>

#include "ir/error.h"

namespace conflux::frontends {

namespace {
constexpr std::uintmax_t kMaxFileBytes = std::uintmax_t{1} << 31;
}

std::string readFileBytes(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error))
    throw Error(path + ": no such file (or not a regular file)");
  std::uintmax_t size = std::filesystem::file_size(path, error);
  if (error) throw Error(path + ": cannot read the file size: " + error.message());
  if (size > kMaxFileBytes) throw Error(path + ": file of " + std::to_string(size) +
                                        " bytes is larger than the 2 GiB limit");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open the file");
  std::string bytes(static_cast<size_t>(size), '\0');
  if (!in.read(bytes.data(), static_cast<std::streamsize>(size))) throw Error(path + ": read error");
  return bytes;
}

}  // namespace conflux::frontends
