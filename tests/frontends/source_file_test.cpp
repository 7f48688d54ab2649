// Model files read whole or mapped into memory: the same bytes, and errors naming the file.
#include "frontends/source_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "ir/error.h"
#include "tests/frontends/onnx_builder.h"

namespace conflux::frontends {
namespace {

/// Writes `bytes` to the test file `name`, returning its path.
std::string fileWith(const std::string& name, const std::string& bytes) {
  std::string path = testing::tempFile(name);
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

/// The message of the conflux::Error `read` throws, or "no error".
template <typename Read>
std::string errorOf(Read read) {
  try {
    read();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(MappedFile, HoldsTheBytesReadFileBytesReads) {
  std::string bytes("model\0bytes\xff", 12);
  std::string path = fileWith("mapped.bin", bytes);
  MappedFile file(path);
  ASSERT_EQ(file.size(), bytes.size());
  EXPECT_EQ(std::string(file.data(), file.size()), bytes);
  EXPECT_EQ(readFileBytes(path), bytes);
}

TEST(MappedFile, AnEmptyFileMapsToNoBytes) {
  MappedFile file(fileWith("empty.bin", ""));
  EXPECT_EQ(file.size(), 0u);
  EXPECT_EQ(file.data(), nullptr);
}

TEST(MappedFile, AMissingFileOrAFolderIsAnErrorNamingIt) {
  std::string missing = testing::tempFile("missing.onnx");
  EXPECT_EQ(errorOf([&] { MappedFile file(missing); }), missing + ": no such file (or not a regular file)");
  std::string folder = std::filesystem::path(missing).parent_path().string();
  EXPECT_EQ(errorOf([&] { MappedFile file(folder); }), folder + ": no such file (or not a regular file)");
}

}  // namespace
}  // namespace conflux::frontends
