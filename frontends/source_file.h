#pragma once
// Reading model files into memory, with the size checks every reader needs.
#include <cstddef>
#include <string>

namespace conflux::frontends {

/// The whole content of `path`; throws conflux::Error naming the file when it is missing, is
/// not a regular file, or is larger than 2 GiB (the protobuf limit, and far beyond any graph
/// JSON).
std::string readFileBytes(const std::string& path);

/// A file mapped read-only into memory for as long as the object lives: a large model's bytes
/// are parsed where the page cache holds them, not copied first. Throws like readFileBytes.
class MappedFile {
 public:
  explicit MappedFile(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  /// The file's bytes (null when it is empty).
  const char* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  const char* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace conflux::frontends
