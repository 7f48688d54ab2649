#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iomanip>
#include <iostream>

#include "api/conflux.h"
#include "api/random_inputs.h"
#include "api/tensor_compare.h"
#include "frontends/model.h"
#include "frontends/npy.h"
#include "ir/error.h"
#include "tools/commands.h"
#include "tools/model_options.h"

namespace conflux::tools {
namespace {

namespace fs = std::filesystem;

std::string typeAndShape(ir::DType dtype, const std::vector<int64_t>& shape) {
  return std::string(ir::dtypeName(dtype)) + frontends::formatShape(shape);
}

/// Reads DIR/<NAME>.npy for every graph input that has a file there, checking each against the
/// input's declared dtype and shape.
api::TensorMap readInputs(const ir::Graph& graph, const std::optional<std::string>& dir) {
  api::TensorMap inputs;
  if (!dir) return inputs;
  if (!fs::is_directory(*dir)) throw Error(*dir + ": inputs directory does not exist");
  for (const std::string& name : graph.inputs()) {
    fs::path file = fs::path(*dir) / frontends::npyFileName(name);
    if (!fs::exists(file)) continue;
    ir::Tensor tensor = frontends::readNpy(file.string());
    const ir::DataDesc& desc = graph.array(name);
    if (tensor.dtype() != desc.dtype || tensor.shape() != desc.shape)
      throw Error(file.string() + ": input '" + name + "' is " + typeAndShape(desc.dtype, desc.shape) +
                  " but the file holds " + typeAndShape(tensor.dtype(), tensor.shape()));
    inputs.emplace(name, std::move(tensor));
  }
  return inputs;
}

/// Checks that every graph input is present.
void checkInputsPresent(const ir::Graph& graph, const api::TensorMap& inputs,
                        const std::optional<std::string>& dir) {
  for (const std::string& name : graph.inputs())
    if (!inputs.count(name))
      throw Error("input '" + name + "' is missing: expected " +
                  (dir ? (fs::path(*dir) / frontends::npyFileName(name)).string()
                       : "--inputs DIR with " + frontends::npyFileName(name)) +
                  ", or --seed S to draw it");
}

void writeTensors(const fs::path& dir, const api::TensorMap& tensors, const std::string& prefix) {
  fs::create_directories(dir);
  for (const auto& [name, tensor] : tensors)
    frontends::writeNpy((dir / (prefix + frontends::npyFileName(name))).string(), tensor);
}

double milliseconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

}  // namespace

int runCommand(Arguments& args) {
  std::string target = args.option("--target").value_or("cpu");
  std::optional<std::string> inputDir = args.option("--inputs");
  std::optional<std::string> outputDir = args.option("--outputs");
  std::optional<int64_t> seed = args.integerOption("--seed");
  std::optional<int64_t> benchRuns = args.integerOption("--bench");
  bool check = args.flag("--check");
  int level = args.level().value_or(3);
  api::LoadOptions loading = loadOptions(args);
  std::string model = args.positional("MODEL");
  args.finish();
  api::checkTarget(target);
  // An input left open takes the shape of its file.
  if (inputDir)
    loading.dimensions.shapeOf = [dir = *inputDir](const std::string& name) {
      fs::path file = fs::path(dir) / frontends::npyFileName(name);
      return fs::exists(file) ? std::optional(frontends::readNpy(file.string()).shape())
                              : std::nullopt;
    };

  const ir::Graph loaded = api::load(model, loading);
  ir::Graph graph = loaded;
  api::OptimizeOptions options;
  options.target = target;
  options.level = level;
  api::optimize(graph, options);
  api::TensorMap inputs = readInputs(graph, inputDir);
  api::TensorMap drawn;
  if (seed) {
    api::TensorMap all = api::randomInputs(graph, static_cast<uint64_t>(*seed), inputs);
    for (const auto& [name, t] : all)
      if (!inputs.count(name)) drawn.emplace(name, t);
    inputs = std::move(all);
  }
  checkInputsPresent(graph, inputs, inputDir);

  std::unique_ptr<api::Executable> executable = api::compile(graph, target);
  api::TensorMap outputs = executable->run(inputs);
  if (outputDir) {
    writeTensors(*outputDir, outputs, "");
    writeTensors(*outputDir, drawn, "input.");
  }
  for (const std::string& name : graph.outputs()) {
    const ir::Tensor& t = outputs.at(name);
    double sum = 0;
    for (int64_t i = 0; i < t.numElements(); ++i) sum += t.at(i);
    std::cout << "output " << name << ": " << t.numElements() << " elements, mean "
              << (t.numElements() ? sum / static_cast<double>(t.numElements()) : 0) << "\n";
  }

  int status = 0;
  if (check) {
    // The oracle: the model as loaded, unoptimised, on the reference interpreter.
    api::TensorMap expected = api::compile(loaded, "reference")->run(inputs);
    for (const std::string& name : graph.outputs()) {
      api::Difference d = api::compareTensors(outputs.at(name), expected.at(name));
      std::cout << "check " << name << ": max abs error " << d.maxAbs << ", max rel error "
                << d.maxRel << (d.withinTolerance ? " (ok)" : " (FAILED)") << "\n";
      if (d.nonFinite > 0)
        std::cout << "check " << name << ": " << d.nonFinite << " of " << expected.at(name).numElements()
                  << " elements are NaN or infinite on both targets, compared there only as equal (drawn "
                     "inputs overflow a deep model whose weights they are: give its weights with --inputs)\n";
      if (!d.withinTolerance) status = 1;
    }
  }
  if (benchRuns) {
    int64_t n = *benchRuns;
    if (n < 1) throw Error("--bench needs a positive number of runs");
    executable->run(inputs);  // warm-up
    std::vector<double> times;
    for (int64_t i = 0; i < n; ++i) {
      auto start = std::chrono::steady_clock::now();
      executable->run(inputs);
      times.push_back(milliseconds(std::chrono::steady_clock::now() - start));
    }
    std::sort(times.begin(), times.end());
    std::cout << std::fixed << std::setprecision(3) << "bench " << n << " runs: min "
              << times.front() << " ms, median " << times[times.size() / 2] << " ms\n";
  }
  return status;
}

}  // namespace conflux::tools
