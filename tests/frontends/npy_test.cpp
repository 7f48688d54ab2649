// The .npy reader and writer: round trips, and clear errors on bad files.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "frontends/npy.h"
#include "ir/error.h"

namespace conflux::frontends {
namespace {

namespace fs = std::filesystem;

fs::path tempPath(const std::string& name) { return fs::temp_directory_path() / ("conflux_npy_" + name); }

std::string errorOf(const std::string& bytes) {
  try {
    parseNpy(bytes, "bad.npy");
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(Npy, RoundTripsEveryDtypeAndRank) {
  std::vector<std::pair<ir::DType, std::vector<int64_t>>> cases{
      {ir::DType::F32, {2, 3}}, {ir::DType::I64, {5}}, {ir::DType::I32, {}},
      {ir::DType::Bool, {2, 2, 2}}, {ir::DType::F16, {3, 1}}, {ir::DType::F32, {0, 4}}};
  for (const auto& [dtype, shape] : cases) {
    ir::Tensor t(dtype, shape);
    for (int64_t i = 0; i < t.numElements(); ++i) t.set(i, static_cast<double>((i * 7) % 5) - 2);
    fs::path path = tempPath("roundtrip.npy");
    writeNpy(path.string(), t);
    ir::Tensor back = readNpy(path.string());
    EXPECT_EQ(back, t) << ir::dtypeName(dtype);
  }
}

TEST(Npy, HeaderIsAlignedAndReadableByNumPyConventions) {
  ir::Tensor t = ir::Tensor::fromDoubles(ir::DType::F32, {3}, {1, 2, 3});
  fs::path path = tempPath("header.npy");
  writeNpy(path.string(), t);
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 10u);
  size_t headerLength = static_cast<unsigned char>(bytes[8]) | static_cast<unsigned char>(bytes[9]) << 8;
  EXPECT_EQ((10 + headerLength) % 64, 0u);
  EXPECT_NE(bytes.find("'shape': (3,)"), std::string::npos);
  EXPECT_NE(bytes.find("'descr': '<f4'"), std::string::npos);
}

TEST(Npy, RejectsBadFilesWithTheFileName) {
  EXPECT_NE(errorOf("").find("bad.npy: not a .npy file"), std::string::npos);
  EXPECT_NE(errorOf("random bytes here!!").find("not a .npy file"), std::string::npos);
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }";
  std::string good = std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(header.size()) + '\0' + header;
  EXPECT_NE(errorOf(good + std::string(8, '\0')).find("need 16"), std::string::npos);  // truncated
  std::string f8 = good;
  f8.replace(f8.find("<f4"), 3, "<f8");
  EXPECT_NE(errorOf(f8 + std::string(32, '\0')).find("unsupported .npy dtype '<f8'"), std::string::npos);
  std::string fortran = good;
  fortran.replace(fortran.find("False"), 5, "True ");
  EXPECT_NE(errorOf(fortran).find("Fortran"), std::string::npos);
  EXPECT_THROW(readNpy("/nonexistent/x.npy"), Error);
}

TEST(Npy, FileNamesReplaceUnsafeCharacters) {
  EXPECT_EQ(npyFileName("/attn/Softmax:0"), "_attn_Softmax_0.npy");
  EXPECT_EQ(npyFileName("input.1-a_b"), "input.1-a_b.npy");
}

}  // namespace
}  // namespace conflux::frontends
