#include <fstream>
#include <iostream>

#include "api/conflux.h"
#include "api/report.h"
#include "ir/error.h"
#include "targets/target_registry.h"
#include "tools/commands.h"

namespace conflux::tools {

int reportCommand(Arguments& args) {
  api::OptimizeOptions options;
  options.target = args.option("--target").value_or("cpu");
  options.level = args.level().value_or(3);
  std::string format = args.option("--format").value_or("text");
  std::optional<std::string> out = args.option("-o");
  bool measure = args.flag("--measure");
  std::string model = args.positional("MODEL");
  args.finish();
  if (format != "text" && format != "json" && format != "html")
    throw Error("unknown report format '" + format + "' (expected text, json or html)");
  if (measure)
    throw Error("--measure times the kernels on the cpu target, which cannot run models yet");

  ir::Graph graph = api::load(model);
  api::optimize(graph, options);
  api::Report report = api::buildReport(graph.name(), graph, targets::targetDesc(options.target), options.level);
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
