// ONNX ops whose conformance tests Conflux cannot run (their dtypes are outside what it
// computes), checked on a dtype it does.
#include <gtest/gtest.h>

#include "api/conflux.h"
#include "tests/frontends/onnx_builder.h"

namespace conflux {
namespace {

TEST(OnnxOps, CastLikeCastsToTheDtypeOfItsSecondInputWithoutReadingIt) {
  testing::OnnxModelBuilder b;
  b.input("x", onnx::TensorProto::FLOAT, {4});
  b.input("like", onnx::TensorProto::INT64, {1});
  b.node("CastLike", {"x", "like"}, {"y"}, "cast");
  b.untypedOutput("y");
  ir::Graph g = api::load(b.write("cast_like.onnx"));
  EXPECT_EQ(g.array("y").dtype, ir::DType::I64);
  // The library node reads x only: like lends its dtype, not its elements.
  int libraryNodes = 0;
  for (const ir::State& state : g.states())
    for (ir::NodeId id : state.nodeIds()) {
      const auto* library = std::get_if<ir::LibraryNode>(&state.node(id).payload);
      if (!library) continue;
      ++libraryNodes;
      EXPECT_EQ(library->inputs, std::vector<std::string>{"in0"});
    }
  EXPECT_EQ(libraryNodes, 1);
  api::TensorMap out =
      api::compile(g, "reference")
          ->run({{"x", ir::Tensor::fromDoubles(ir::DType::F32, {4}, {1.5, -2.7, 3, 0})},
                 {"like", ir::Tensor(ir::DType::I64, {1})}});
  EXPECT_EQ(out.at("y").toInts(), (std::vector<int64_t>{1, -2, 3, 0}));
}

}  // namespace
}  // namespace conflux
