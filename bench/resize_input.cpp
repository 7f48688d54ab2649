// Writes an ONNX model with its first graph input declared at another shape (the others'
// shapes inferred again): the benchmark runs the UNet, exported at 256x256, at 1024x1024.
// usage: resize_input MODEL.onnx OUT.onnx D0 D1 ...   Exit code 2 with a message on bad input.
#include <iostream>
#include <string>
#include <vector>

#include "frontends/model.h"
#include "frontends/onnx_input_shape.h"
#include "frontends/onnx_tensor.h"
#include "ir/error.h"

int main(int argc, char** argv) {
  using namespace conflux;
  if (argc < 4) {
    std::cerr << "usage: resize_input MODEL.onnx OUT.onnx D0 D1 ...\n";
    return 2;
  }
  try {
    std::vector<int64_t> shape;
    for (int i = 3; i < argc; ++i) shape.push_back(std::stoll(argv[i]));
    std::string input = frontends::summarizeOnnxModel(argv[1]).inputs.at(0);
    frontends::resizeInput(argv[1], input, shape, argv[2]);
    std::cout << "wrote " << argv[2] << " with input " << input << " "
              << frontends::formatShape(shape) << "\n";
  } catch (const Error& e) {
    std::cerr << "resize_input: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "resize_input: bad dimension: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
