// Conflux as a library, as a framework integration uses it: load a model, optimise it for the
// cpu target, compile it once and run it into output buffers of the caller's, here twice, on
// inputs drawn at random.
// usage: api_example MODEL
#include <cstdint>
#include <iostream>
#include <string>

#include "api/conflux.h"
#include "api/random_inputs.h"
#include "ir/error.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: api_example MODEL\n";
    return 2;
  }
  try {
    conflux::ir::Graph graph = conflux::api::load(argv[1]);
    conflux::api::OptimizeOptions options;  // -O3 for the cpu target
    conflux::api::optimize(graph, options);
    std::unique_ptr<conflux::api::Executable> model = conflux::api::compile(graph, "cpu");
    // The framework's output buffers: made once, written by every run (runInto makes no tensors).
    conflux::api::TensorMap outputs;
    for (const std::string& name : model->graph().outputs()) {
      const conflux::ir::DataDesc& desc = model->graph().array(name);
      outputs.emplace(name, conflux::ir::Tensor(desc.dtype, desc.shape, name));
    }
    for (uint64_t seed : {1, 2}) {
      model->runInto(conflux::api::randomInputs(graph, seed), outputs);
      for (const auto& [name, tensor] : outputs) {
        double sum = 0;
        for (int64_t i = 0; i < tensor.numElements(); ++i) sum += tensor.at(i);
        std::cout << "inputs " << seed << ", output " << name << ": " << tensor.numElements()
                  << " elements, mean " << sum / static_cast<double>(tensor.numElements()) << "\n";
      }
    }
  } catch (const conflux::Error& e) {
    std::cerr << "api_example: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
