#include "api/report.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

#include <nlohmann/json.hpp>

#include "passes/kernels.h"
#include "passes/memory_plan.h"

namespace conflux::api {
namespace {

struct Totals {
  double flops = 0, bytesMin = 0, bytesMoved = 0, timeMs = 0;
  bool timed = true;
};

Totals totalsOf(const Report& r) {
  Totals t;
  for (const KernelReport& k : r.kernels) {
    t.flops += k.traffic.flops;
    t.bytesMin += k.traffic.bytesMin;
    t.bytesMoved += k.traffic.bytesMoved;
    if (k.timeMs) t.timeMs += *k.timeMs;
    else t.timed = false;
  }
  t.timed = t.timed && !r.kernels.empty();
  return t;
}

std::string joinOrigins(const std::vector<std::string>& origins) {
  std::string out;
  for (const std::string& o : origins) out += (out.empty() ? "" : ",") + o;
  return out;
}

std::string htmlEscape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string number(double v, int precision = 3) {
  std::ostringstream out;
  out << std::setprecision(precision) << v;
  return out.str();
}

/// Horizontal bars: bytes moved (D) against the minimum (Q) per kernel, log-free linear scale.
std::string bytesChart(const Report& r) {
  const double width = 560, rowHeight = 18, left = 180;
  double maxBytes = 1;
  for (const KernelReport& k : r.kernels) maxBytes = std::max({maxBytes, k.traffic.bytesMoved, k.traffic.bytesMin});
  double height = rowHeight * static_cast<double>(r.kernels.size()) + 30;
  std::ostringstream svg;
  svg << "<svg xmlns='http://www.w3.org/2000/svg' width='" << left + width + 20 << "' height='"
      << height << "' font-family='sans-serif' font-size='11'>\n";
  for (size_t i = 0; i < r.kernels.size(); ++i) {
    const auto& t = r.kernels[i].traffic;
    double y = 10 + rowHeight * static_cast<double>(i);
    svg << "<text x='" << left - 6 << "' y='" << y + 12 << "' text-anchor='end'>"
        << htmlEscape(t.name) << "</text>\n";
    svg << "<rect x='" << left << "' y='" << y + 2 << "' width='" << width * t.bytesMoved / maxBytes
        << "' height='" << rowHeight - 6 << "' fill='#e07b39'><title>D = " << number(t.bytesMoved)
        << " bytes</title></rect>\n";
    svg << "<rect x='" << left << "' y='" << y + 5 << "' width='" << width * t.bytesMin / maxBytes
        << "' height='" << rowHeight - 12 << "' fill='#2b6cb0'><title>Q = " << number(t.bytesMin)
        << " bytes</title></rect>\n";
  }
  svg << "<text x='" << left << "' y='" << height - 4
      << "'>orange: bytes moved (D); blue: minimum (Q)</text>\n</svg>\n";
  return svg.str();
}

/// Roofline: attainable GFLOP/s = min(peak, intensity · bandwidth) on log-log axes, one point
/// per kernel at its arithmetic intensity FLOPs / D (and its measured GFLOP/s when timed).
std::string roofline(const Report& r) {
  const double w = 560, h = 320, left = 60, bottom = 30;
  const double xMin = -3, xMax = 4;  // log10 FLOP/byte
  double yMaxLog = std::ceil(std::log10(std::max(r.peakGflops, 1.0))) + 0.5;
  double yMinLog = yMaxLog - 6;
  auto px = [&](double intensity) { return left + w * (std::log10(intensity) - xMin) / (xMax - xMin); };
  auto py = [&](double gflops) {
    double l = std::clamp(std::log10(std::max(gflops, 1e-12)), yMinLog, yMaxLog);
    return h - bottom - (h - bottom - 10) * (l - yMinLog) / (yMaxLog - yMinLog);
  };
  std::ostringstream svg;
  svg << "<svg xmlns='http://www.w3.org/2000/svg' width='" << left + w + 20 << "' height='" << h
      << "' font-family='sans-serif' font-size='11'>\n";
  svg << "<rect x='" << left << "' y='10' width='" << w << "' height='" << h - bottom - 10
      << "' fill='none' stroke='#999'/>\n";
  double ridge = r.peakGflops / std::max(r.peakGBs, 1e-9);
  svg << "<polyline fill='none' stroke='#333' stroke-width='2' points='" << px(std::pow(10, xMin)) << ","
      << py(std::pow(10, xMin) * r.peakGBs) << " " << px(ridge) << "," << py(r.peakGflops) << " "
      << px(std::pow(10, xMax)) << "," << py(r.peakGflops) << "'/>\n";
  for (const KernelReport& k : r.kernels) {
    if (k.traffic.bytesMoved <= 0 || k.traffic.flops <= 0) continue;
    double intensity = std::clamp(k.traffic.flops / k.traffic.bytesMoved, std::pow(10, xMin), std::pow(10, xMax));
    double bound = std::min(r.peakGflops, intensity * r.peakGBs);
    double achieved = k.timeMs ? k.traffic.flops / (*k.timeMs * 1e6) : bound;
    svg << "<circle cx='" << px(intensity) << "' cy='" << py(achieved) << "' r='4' fill='"
        << (k.timeMs ? "#e07b39" : "#2b6cb0") << "'><title>" << htmlEscape(k.traffic.name)
        << ": " << number(intensity) << " FLOP/byte, " << number(achieved) << " GFLOP/s"
        << (k.timeMs ? " measured" : " bound") << "</title></circle>\n";
  }
  svg << "<text x='" << left + w / 2 << "' y='" << h - 6
      << "' text-anchor='middle'>arithmetic intensity (FLOP/byte, log)</text>\n";
  svg << "<text x='14' y='" << h / 2 << "' transform='rotate(-90 14 " << h / 2
      << ")' text-anchor='middle'>GFLOP/s (log)</text>\n</svg>\n";
  return svg.str();
}

}  // namespace

Report buildReport(const std::string& model, const ir::Graph& graph, const ir::TargetDesc& target,
                   int level) {
  Report r{model, target.name, level, target.peakGflops, target.peakBandwidthGBs, {}};
  std::vector<passes::Kernel> kernels = passes::extractKernels(graph);
  for (const passes::Kernel& k : kernels) r.kernels.push_back({passes::analyzeKernel(graph, k), std::nullopt});
  passes::MemoryPlan plan = passes::planMemory(graph, kernels, passes::runOnceKernels(graph, kernels));
  r.transientBytes = plan.unplannedBytes;
  r.plannedTransientBytes = plan.plannedBytes;
  return r;
}

std::optional<double> achievedGBs(const KernelReport& row) {
  if (!row.timeMs || *row.timeMs <= 0) return std::nullopt;
  return row.traffic.bytesMoved / (*row.timeMs * 1e6);
}

std::optional<double> mue(const KernelReport& row, double peakGBs) {
  std::optional<double> b = achievedGBs(row);
  if (!b || row.traffic.bytesMoved <= 0 || peakGBs <= 0) return std::nullopt;
  return (row.traffic.bytesMin / row.traffic.bytesMoved) * (*b / peakGBs);
}

std::string formatText(const Report& r) {
  std::ostringstream out;
  out << "model " << r.model << ", target " << r.target << ", -O" << r.level << " (peak "
      << r.peakGflops << " GFLOP/s, " << r.peakGBs << " GB/s)\n";
  out << "transient memory: " << number(static_cast<double>(r.plannedTransientBytes))
      << " bytes with liveness-based reuse, " << number(static_cast<double>(r.transientBytes)) << " without\n";
  out << std::left << std::setw(28) << "kernel" << std::right << std::setw(12) << "FLOPs"
      << std::setw(12) << "Q bytes" << std::setw(12) << "D bytes" << std::setw(7) << "Q/D"
      << std::setw(10) << "time ms" << std::setw(8) << "GB/s" << std::setw(7) << "MUE"
      << "  source ops\n";
  // Measured columns arrive formatted ("-" when not measured).
  auto row = [&](const std::string& name, double flops, double q, double d, const std::string& ms,
                 const std::string& gbs, const std::string& m, const std::string& ops) {
    out << std::left << std::setw(28) << name.substr(0, 27) << std::right << std::setw(12)
        << number(flops) << std::setw(12) << number(q) << std::setw(12) << number(d) << std::setw(7)
        << number(d > 0 ? q / d : 1, 2) << std::setw(10) << ms << std::setw(8) << gbs << std::setw(7)
        << m << "  " << ops << "\n";
  };
  auto orDash = [](std::optional<double> v, int precision) { return v ? number(*v, precision) : "-"; };
  for (const KernelReport& k : r.kernels)
    row(k.traffic.name, k.traffic.flops, k.traffic.bytesMin, k.traffic.bytesMoved, orDash(k.timeMs, 3),
        orDash(achievedGBs(k), 3), orDash(mue(k, r.peakGBs), 2), joinOrigins(k.traffic.origins));
  Totals t = totalsOf(r);
  row("total (" + std::to_string(r.kernels.size()) + " kernels)", t.flops, t.bytesMin, t.bytesMoved,
      t.timed ? number(t.timeMs) : "-", "-", "-", "");
  return out.str();
}

std::string formatJson(const Report& r) {
  nlohmann::ordered_json kernels = nlohmann::ordered_json::array();
  for (const KernelReport& k : r.kernels) {
    nlohmann::ordered_json row = {{"name", k.traffic.name},
                                  {"ops", k.traffic.origins},
                                  {"flop", k.traffic.flops},
                                  {"bytes_min", k.traffic.bytesMin},
                                  {"bytes_moved", k.traffic.bytesMoved}};
    if (k.timeMs) {
      row["time_ms"] = *k.timeMs;
      row["bandwidth_gbs"] = *achievedGBs(k);
      row["mue"] = *mue(k, r.peakGBs);
    }
    kernels.push_back(row);
  }
  Totals t = totalsOf(r);
  nlohmann::ordered_json totals = {{"kernels", r.kernels.size()},
                                   {"flop", t.flops},
                                   {"bytes_min", t.bytesMin},
                                   {"bytes_moved", t.bytesMoved}};
  if (t.timed) totals["time_ms"] = t.timeMs;
  nlohmann::ordered_json doc = {{"model", r.model},           {"target", r.target},
                                {"level", r.level},           {"peak_gflops", r.peakGflops},
                                {"peak_gbs", r.peakGBs},      {"kernels", kernels},
                                {"totals", totals},
                                {"memory", {{"transient_bytes", r.transientBytes},
                                            {"planned_bytes", r.plannedTransientBytes}}}};
  return doc.dump(2) + "\n";
}

std::string formatHtml(const Report& r) {
  std::ostringstream html;
  html << "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>Conflux report: "
       << htmlEscape(r.model) << "</title>\n<style>body{font-family:sans-serif;margin:2em}"
       << "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;"
       << "text-align:right}td:first-child,td:last-child{text-align:left}</style></head><body>\n";
  html << "<h1>" << htmlEscape(r.model) << "</h1>\n<p>target " << htmlEscape(r.target) << ", -O"
       << r.level << ", peak " << r.peakGflops << " GFLOP/s, " << r.peakGBs << " GB/s</p>\n";
  html << "<h2>Kernels</h2>\n<pre>" << htmlEscape(formatText(r)) << "</pre>\n";
  html << "<h2>Bytes moved against the minimum</h2>\n" << bytesChart(r);
  html << "<h2>Roofline</h2>\n" << roofline(r);
  html << "</body></html>\n";
  return html.str();
}

}  // namespace conflux::api
