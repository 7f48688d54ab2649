// Freezing graph inputs of an ONNX model into initializers (frontends/onnx_initializers.h): the
// frozen model loads with the value as a constant and the other inputs unchanged; bad requests
// are errors naming the file.
#include <gtest/gtest.h>


#include "frontends/load_model.h"
#include "frontends/onnx_initializers.h"
#include "frontends/onnx_tensor.h"
#include "ir/error.h"
#include "tests/frontends/onnx_builder.h"

namespace conflux::frontends {
namespace {

using testing::OnnxModelBuilder;

/// y = x + w with x and w graph inputs of shape [2, 3].
std::string addModel() {
  OnnxModelBuilder builder;
  builder.input("x", onnx::TensorProto::FLOAT, {2, 3})
      .input("w", onnx::TensorProto::FLOAT, {2, 3})
      .output("y", onnx::TensorProto::FLOAT, {2, 3});
  builder.node("Add", {"x", "w"}, {"y"}, "add");
  return builder.write("freeze_add.onnx");
}

std::string frozenPath() { return testing::tempFile("freeze_add.frozen.onnx"); }

TEST(FreezeInputs, TheFrozenInputBecomesAConstantWithItsValue) {
  std::string model = addModel();
  ir::Tensor w = ir::Tensor::fromDoubles(ir::DType::F32, {2, 3}, {1, 2, 3, 4, 5, 6});
  freezeInputs(model, {{"w", w}}, frozenPath());
  EXPECT_EQ(summarizeOnnxModel(frozenPath()).inputs, std::vector<std::string>{"x"});
  ir::Graph graph = loadModel(frozenPath());
  EXPECT_EQ(graph.inputs(), std::vector<std::string>{"x"});
  const ir::Tensor* value = graph.constantValue("w");
  ASSERT_NE(value, nullptr);
  EXPECT_EQ(*value, w);
}

TEST(FreezeInputs, AnUnknownInputIsAnErrorNamingTheModel) {
  std::string model = addModel();
  ir::Tensor w = ir::Tensor::fromDoubles(ir::DType::F32, {2, 3}, {1, 2, 3, 4, 5, 6});
  try {
    freezeInputs(model, {{"weights", w}}, frozenPath());
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(model), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("'weights'"), std::string::npos) << e.what();
  }
}

TEST(FreezeInputs, AValueOfAnotherShapeOrDtypeIsAnError) {
  std::string model = addModel();
  EXPECT_THROW(freezeInputs(model, {{"w", ir::Tensor::fromDoubles(ir::DType::F32, {3, 2}, {1, 2, 3, 4, 5, 6})}},
                            frozenPath()),
               Error);
  EXPECT_THROW(freezeInputs(model, {{"w", ir::Tensor::fromDoubles(ir::DType::I64, {2, 3}, {1, 2, 3, 4, 5, 6})}},
                            frozenPath()),
               Error);
}

}  // namespace
}  // namespace conflux::frontends
