#include <fstream>
#include <iostream>

#include "api/conflux.h"
#include "api/random_inputs.h"
#include "api/report.h"
#include "ir/error.h"
#include "targets/target_registry.h"
#include "tools/commands.h"
#include "tools/model_options.h"

namespace conflux::tools {

int reportCommand(Arguments& args) {
  api::OptimizeOptions options;
  options.target = args.option("--target").value_or("cpu");
  options.level = args.level().value_or(3);
  std::string format = args.option("--format").value_or("text");
  std::optional<std::string> out = args.option("-o");
  bool measure = args.flag("--measure");
  std::optional<int64_t> seed = args.integerOption("--seed");
  api::LoadOptions loading = loadOptions(args);
  std::string model = args.positional("MODEL");
  args.finish();
  if (format != "text" && format != "json" && format != "html")
    throw Error("unknown report format '" + format + "' (expected text, json or html)");
  ir::Graph graph = api::load(model, loading);
  api::optimize(graph, options);
  api::Report report = api::buildReport(graph.name(), graph, targets::targetDesc(options.target), options.level);
  if (measure) {
    // Inputs drawn as `conflux run --seed` draws them; timings are medians of 10 runs.
    std::map<std::string, double> times =
        api::compile(graph, options.target)->profileKernels(api::randomInputs(graph, static_cast<uint64_t>(seed.value_or(0))), 10);
    for (api::KernelReport& row : report.kernels)
      if (auto it = times.find(row.traffic.name); it != times.end()) row.timeMs = it->second;
  }
  std::string text = format == "json" ? api::formatJson(report)
                     : format == "html" ? api::formatHtml(report)
                                        : api::formatText(report);
  if (!out) {
    std::cout << text;
    return 0;
  }
  std::ofstream file(*out, std::ios::binary);
  if (!(file << text)) throw Error(*out + ": cannot write the report");
  std::cout << "wrote " << *out << "\n";
  return 0;
}

int targetsCommand(Arguments& args) {
  args.finish();
  for (const std::string& name : targets::targetNames()) {
    const ir::TargetDesc& desc = targets::targetDesc(name);
    std::cout << name << ": " << desc.threads << " thread(s), " << desc.vectorLanes << " x 32-bit lanes, peak "
              << desc.peakGflops << " GFLOP/s, " << desc.peakBandwidthGBs << " GB/s";
    for (const ir::MemoryLevel& memory : desc.memories)
      std::cout << "; " << memory.name << " " << memory.bytes / 1024 << " KiB";
    std::cout << "\n";
  }
  return 0;
}

}  // namespace conflux::tools
