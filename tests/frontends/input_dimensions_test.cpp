// A model exported with open dimensions (ONNX dim_params) loads once their sizes are given: by
// name, in every input that has them, or as whole input shapes; a name that is no input or
// dimension, a size below 1 or a shape that does not fit the declaration is an error naming it.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "api/conflux.h"
#include "tests/frontends/onnx_builder.h"

namespace conflux {
namespace {

using testing::errorOf;
using testing::kSymbolic;
using Shape = std::vector<int64_t>;

/// z = x + y, both [N, seq, 4]: two inputs sharing two named dimensions.
const std::string& openModel() {
  static const std::string path = [] {
    testing::OnnxModelBuilder b;
    b.input("x", onnx::TensorProto::FLOAT, {kSymbolic, kSymbolic, 4});
    b.input("y", onnx::TensorProto::FLOAT, {kSymbolic, kSymbolic, 4});
    for (int i = 0; i < 2; ++i)
      b.proto()
          .mutable_graph()
          ->mutable_input(i)
          ->mutable_type()
          ->mutable_tensor_type()
          ->mutable_shape()
          ->mutable_dim(1)
          ->set_dim_param("seq");
    b.node("Add", {"x", "y"}, {"z"}, "add");
    b.untypedOutput("z");
    return b.write("open_dims.onnx");
  }();
  return path;
}

api::LoadOptions sizes(std::map<std::string, int64_t> named,
                       std::map<std::string, Shape> shapes = {}) {
  api::LoadOptions options;
  options.dimensions.named = std::move(named);
  options.dimensions.shapes = std::move(shapes);
  return options;
}

TEST(InputDimensions, NamedSizesFixEveryInputThatHasTheName) {
  ir::Graph g = api::load(openModel(), sizes({{"N", 2}, {"seq", 5}}));
  for (const char* array : {"x", "y", "z"})
    EXPECT_EQ(g.array(array).shape, (Shape{2, 5, 4})) << array;
}

TEST(InputDimensions, WholeShapesFixTheirInputs) {
  ir::Graph g = api::load(openModel(), sizes({}, {{"x", {3, 7, 4}}, {"y", {3, 7, 4}}}));
  EXPECT_EQ(g.array("z").shape, (Shape{3, 7, 4}));
}

TEST(InputDimensions, AnInputLeftOpenIsNamedWithItsDimensions) {
  std::string message = errorOf([] { api::load(openModel(), sizes({}, {{"x", {3, 7, 4}}})); });
  EXPECT_NE(message.find(openModel()), std::string::npos) << message;
  EXPECT_NE(message.find("graph input 'y' has an open shape [N,seq,4]"), std::string::npos)
      << message;
  EXPECT_NE(message.find("--dims"), std::string::npos) << message;
}

TEST(InputDimensions, WrongNamesSizesAndShapesAreErrors) {
  const std::vector<std::pair<api::LoadOptions, std::string>> cases = {
      {sizes({{"batch", 2}}),
       "no graph input has a dimension named 'batch' (named dimensions: 'N', 'seq')"},
      {sizes({{"N", 0}, {"seq", 2}}), "dimension 'N' must be at least 1, got 0"},
      {sizes({}, {{"w", {1, 1, 4}}}), "'w' is no graph input (graph inputs: 'x', 'y')"},
      {sizes({}, {{"x", {2, 5, 3}}}),
       "graph input 'x' is declared [N,seq,4], which the given shape [2,5,3] does not fit"},
      {sizes({{"N", 2}}, {{"x", {3, 5, 4}}}), "graph input 'x' is declared [2,seq,4]"},
      {sizes({}, {{"x", {2, 5}}}), "which the given shape [2,5] does not fit"},
      {sizes({}, {{"x", {2, 0, 4}}}),
       "every dimension of the given shape [2,0,4] must be at least 1"},
  };
  for (const auto& [options, expected] : cases) {
    std::string message = errorOf([&] { api::load(openModel(), options); });
    EXPECT_NE(message.find(expected), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace conflux
