// The IR's JSON form round-trips exactly and rejects malformed documents with clear errors.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <limits>

#include "ir/error.h"
#include "ir/printer.h"
#include "ir/serialize_json.h"
#include "ir/validate.h"
#include "tests/ir/example_graphs.h"

namespace conflux::ir {
namespace {

void expectRoundTrip(const Graph& g) {
  std::string first = toJson(g);
  Graph back = fromJson(first, "test.json");
  EXPECT_EQ(toJson(back), first);
  EXPECT_EQ(print(back), print(g));
  EXPECT_NO_THROW(validate(back));
}

TEST(SerializeJson, MatMulBiasReluRoundTripsExactly) { expectRoundTrip(testing::matmulBiasRelu()); }

TEST(SerializeJson, ConvolutionRoundTripsExactly) { expectRoundTrip(testing::conv3x3Tile(3, 8, 8, 4)); }

TEST(SerializeJson, LibraryNodesNestedGraphsAndSpecialConstantsRoundTrip) {
  Graph g("lib");
  g.addArray("a", DataDesc{DType::F32, {4, 8}, {}, Storage::Global, false});
  g.addArray("c", DataDesc{DType::F32, {4, 4}, {}, Storage::Global, false});
  DataDesc blocked{DType::BF16, {1, 32, 4, 4}, Layout::rowMajor(4), Storage::CacheLocal, true};
  blocked.layout.blocks.push_back({1, 16});
  g.addArray("blocked", blocked);
  g.addSymbol("n", DType::I64);
  g.setInputs({"a"});
  g.setOutputs({"c"});
  State s("s");
  NodeId a = s.addAccess("a", {"/mm"});
  NodeId c = s.addAccess("c", {"/mm"});
  LibraryNode gemm{OpKind::Gemm, GemmAttrs{0.5, 1.0, false, true}, {"A", "B"}, {"Y"},
                   Expansion::MicroKernel};
  NodeId lib = s.addLibrary("gemm", gemm, {"/mm", "/add"});
  s.addEdge(a, "", lib, "A", Memlet::of("a", "0:3, 0:7"));
  s.addEdge(a, "", lib, "B", Memlet::of("a", "0:3, 0:7"));
  s.addEdge(lib, "Y", c, "", Memlet::of("c", "0:3, 0:3"));
  Graph inner("inner");
  inner.addArray("v", DataDesc{DType::F32, {2}, {}, Storage::Global, false});
  State is("inner_s");
  is.addAccess("v");
  inner.addState(std::move(is));
  s.addNode("nested", NestedGraphNode(std::move(inner)));
  Tasklet special{{}, {{"o", select(unary(UnaryOp::IsNaN, constant(std::nan(""))),
                                    constant(-std::numeric_limits<double>::infinity()),
                                    constant(0.1))}}};
  s.addTasklet("special", special);
  g.addState(std::move(s));
  g.addState(State("next"));
  g.addInterstateEdge({0, 1, binary(BinaryOp::Lt, ref("n", DType::I64), constant(3, DType::I64)),
                       {{"n", binary(BinaryOp::Add, ref("n", DType::I64), constant(1, DType::I64))}}});
  std::string first = toJson(g);
  EXPECT_EQ(toJson(fromJson(first, "lib.json")), first);
  EXPECT_NE(first.find("\"transB\": true"), std::string::npos);
  EXPECT_NE(first.find("\"-inf\""), std::string::npos);
  EXPECT_NE(first.find("block(1:16)"), std::string::npos);
}

TEST(SerializeJson, MalformedTextNamesTheFile) {
  try {
    fromJson("{ \"format\": ", "broken.json");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("broken.json"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("malformed JSON"), std::string::npos);
  }
}

/// Replaces the first occurrence of `from` in the JSON of the MLP graph and reads it back.
std::string readMutated(const std::string& from, const std::string& to) {
  std::string text = toJson(testing::matmulBiasRelu());
  size_t at = text.find(from);
  if (at == std::string::npos) return "pattern not found: " + from;
  text.replace(at, from.size(), to);
  try {
    fromJson(text, "m.json");
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(SerializeJson, RejectsUnknownKeysWrongVersionAndBadValues) {
  EXPECT_NE(readMutated("\"version\": 1", "\"version\": 9").find("IR version 9"), std::string::npos);
  EXPECT_NE(readMutated("\"format\": \"conflux-ir\"", "\"format\": \"conflux-ir\", \"extra\": 1")
                .find("unknown key 'extra'"),
            std::string::npos);
  EXPECT_NE(readMutated("\"dtype\": \"f32\"", "\"dtype\": \"f128\"").find("unknown dtype"),
            std::string::npos);
  EXPECT_NE(readMutated("\"schedule\": \"cpu_parallel\"", "\"schedule\": \"warp\"")
                .find("unknown map schedule"),
            std::string::npos);
  EXPECT_NE(readMutated("\"kind\": \"tasklet\"", "\"kind\": \"gizmo\"").find("unknown node kind"),
            std::string::npos);
}

TEST(SerializeJson, EdgeToMissingNodeIsADanglingEdge) {
  std::string message = readMutated("\"dst\": 9,", "\"dst\": 99,");
  EXPECT_NE(message.find("dangling edge"), std::string::npos) << message;
  EXPECT_NE(message.find("m.json"), std::string::npos) << message;
}

TEST(SerializeJson, BundledExampleIsTheCurrentSerialisation) {
  std::ifstream in(std::string(CONFLUX_SOURCE_DIR) + "/examples/mlp.ir.json");
  std::ostringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), toJson(testing::matmulBiasRelu()));
}

TEST(SerializeJson, RecognisesIrDocuments) {
  EXPECT_TRUE(isIrJson(toJson(testing::matmulBiasRelu())));
  EXPECT_FALSE(isIrJson("{\"format\": \"conflux-graph\"}"));
  EXPECT_FALSE(isIrJson("not json"));
}

}  // namespace
}  // namespace conflux::ir
