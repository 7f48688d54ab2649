#include "frontends/source_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "ir/error.h"

namespace conflux::frontends {

namespace {

constexpr std::uintmax_t kMaxFileBytes = std::uintmax_t{1} << 31;

/// The size of the regular file at `path`, at most kMaxFileBytes; throws naming the file.
size_t checkedFileSize(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error))
    throw Error(path + ": no such file (or not a regular file)");
  std::uintmax_t size = std::filesystem::file_size(path, error);
  if (error) throw Error(path + ": cannot read the file size: " + error.message());
  if (size > kMaxFileBytes) throw Error(path + ": file of " + std::to_string(size) +
                                        " bytes is larger than the 2 GiB limit");
  return static_cast<size_t>(size);
}

}  // namespace

std::string readFileBytes(const std::string& path) {
  size_t size = checkedFileSize(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open the file");
  std::string bytes(size, '\0');
  if (!in.read(bytes.data(), static_cast<std::streamsize>(size))) throw Error(path + ": read error");
  return bytes;
}

MappedFile::MappedFile(const std::string& path) : size_(checkedFileSize(path)) {
  if (size_ == 0) return;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(path + ": cannot open the file");
  void* mapped = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);  // the mapping keeps the file's pages
  if (mapped == MAP_FAILED) throw Error(path + ": cannot map the file into memory");
  data_ = static_cast<const char*>(mapped);
}

MappedFile::~MappedFile() {
  if (data_) ::munmap(const_cast<char*>(data_), size_);
}

}  // namespace conflux::frontends
