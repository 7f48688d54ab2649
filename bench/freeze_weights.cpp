// Writes an ONNX model whose graph inputs, all but the ones kept, are initializers holding the
// values in a directory of .npy files: a `.noweights` model with its weights stored, as a
// deployment runs it, so that conflux and ONNX Runtime both pre-pack them at load.
// usage: freeze_weights MODEL.onnx INPUT_DIR OUT.onnx [KEPT_INPUT...]
// Without KEPT_INPUT the first graph input is kept. Each frozen input NAME is read from
// INPUT_DIR/<safe NAME>.npy (the layout `conflux run --inputs` reads). Exit code 2 with a
// message naming the file on bad input.
#include <algorithm>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "frontends/npy.h"
#include "frontends/onnx_initializers.h"
#include "frontends/onnx_tensor.h"
#include "ir/error.h"

int main(int argc, char** argv) {
  using namespace conflux;
  if (argc < 4) {
    std::cerr << "usage: freeze_weights MODEL.onnx INPUT_DIR OUT.onnx [KEPT_INPUT...]\n";
    return 2;
  }
  std::string model = argv[1], dir = argv[2], out = argv[3];
  std::vector<std::string> kept(argv + 4, argv + argc);
  try {
    std::vector<std::string> inputs = frontends::summarizeOnnxModel(model).inputs;
    if (kept.empty() && !inputs.empty()) kept.push_back(inputs.front());
    std::map<std::string, ir::Tensor> frozen;
    for (const std::string& input : inputs)
      if (!std::count(kept.begin(), kept.end(), input))
        frozen.emplace(input, frontends::readNpy(dir + "/" + frontends::npyFileName(input)));
    frontends::freezeInputs(model, frozen, out);
    std::cout << "froze " << frozen.size() << " inputs of " << model << " into " << out << "\n";
  } catch (const Error& e) {
    std::cerr << "freeze_weights: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
