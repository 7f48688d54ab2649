#pragma once
// The data-movement / MUE report of `conflux report` (shared/CLI.md): one row per kernel and
// a totals row, as text, JSON or one self-contained HTML page with SVG charts.
#include <optional>
#include <string>
#include <vector>

#include "ir/target_desc.h"
#include "passes/data_movement.h"

namespace conflux::api {

/// One kernel row; time is present only when measured.
struct KernelReport {
  passes::KernelTraffic traffic;
  std::optional<double> timeMs;
};

/// Everything a report shows.
struct Report {
  std::string model;
  std::string target;
  int level = 3;
  double peakGflops = 0;
  double peakGBs = 0;
  std::vector<KernelReport> kernels;
  /// Peak bytes of transients: each in its own storage, and with liveness-based reuse.
  int64_t transientBytes = 0, plannedTransientBytes = 0;
};

/// Builds the report of an optimised graph (FLOPs, Q and D per kernel, transient memory before
/// and after planning, no timings).
Report buildReport(const std::string& model, const ir::Graph& graph, const ir::TargetDesc& target,
                   int level);

/// Achieved bandwidth D / time in GB/s and MUE = (Q / D) · (B / B̂); nothing without a time.
std::optional<double> achievedGBs(const KernelReport& row);
std::optional<double> mue(const KernelReport& row, double peakGBs);

/// A fixed-width table with a totals row.
std::string formatText(const Report& report);
/// The JSON form with exactly the keys of shared/CLI.md, plus "memory": {"transient_bytes",
/// "planned_bytes"}.
std::string formatJson(const Report& report);
/// One self-contained HTML page (no network loads): the table, bytes moved against the
/// minimum per kernel, and a roofline plot, drawn as inline SVG.
std::string formatHtml(const Report& report);

}  // namespace conflux::api
