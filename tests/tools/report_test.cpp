// `conflux report`: the JSON keys of shared/CLI.md with totals that add up, fusion visible as
// fewer kernels moving fewer bytes, measured columns only with --measure, transient memory with
// and without reuse, and one self-contained HTML page with SVG charts that headless Chromium
// renders.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/support/shell.h"

namespace conflux {
namespace {

namespace fs = std::filesystem;

/// x [16,32] · w [32,64] + b -> Relu -> Sigmoid -> y: a contraction with an epilogue.
const char* kMlp = R"({"format": "conflux-graph", "version": 1, "name": "mlp",
  "tensors": {"x": {"shape": [16, 32], "dtype": "float32", "kind": "input"},
              "w": {"shape": [32, 64], "dtype": "float32", "kind": "weight"},
              "b": {"shape": [64], "dtype": "float32", "kind": "weight"},
              "y": {"shape": [16, 64], "dtype": "float32", "kind": "output"}},
  "nodes": [{"name": "fc", "op": "MatMul", "inputs": ["x", "w"], "outputs": ["h0"]},
            {"name": "bias", "op": "Add", "inputs": ["h0", "b"], "outputs": ["h1"]},
            {"name": "act", "op": "Relu", "inputs": ["h1"], "outputs": ["h2"]},
            {"name": "squash", "op": "Sigmoid", "inputs": ["h2"], "outputs": ["y"]}]})";

fs::path mlpFile() {
  fs::path path = fs::path(CONFLUX_TEST_OUTPUT_DIR) / "report_mlp.json";
  std::ofstream(path) << kMlp;
  return path;
}

testing::CommandResult report(const std::string& args) {
  return testing::runShell(std::string(CONFLUX_BINARY) + " report " + mlpFile().string() + " " + args,
                           testing::testLogPath(CONFLUX_TEST_OUTPUT_DIR));
}

nlohmann::json jsonReport(const std::string& args) {
  testing::CommandResult r = report("--format json " + args);
  EXPECT_EQ(r.exitCode, 0) << r.output;
  return nlohmann::json::parse(r.output.substr(r.output.find('{')));
}

TEST(Report, JsonHasTheKeysOfTheCliContractAndTotalsThatAddUp) {
  nlohmann::json doc = jsonReport("-O0");
  for (const char* key : {"model", "target", "level", "peak_gflops", "peak_gbs", "kernels", "totals", "memory"})
    EXPECT_TRUE(doc.contains(key)) << key;
  EXPECT_EQ(doc["level"], 0);
  double flop = 0, bytesMin = 0, bytesMoved = 0;
  for (const auto& k : doc["kernels"]) {
    for (const char* key : {"name", "ops", "flop", "bytes_min", "bytes_moved"}) EXPECT_TRUE(k.contains(key)) << key;
    EXPECT_FALSE(k.contains("time_ms"));  // only with --measure
    flop += k["flop"].get<double>();
    bytesMin += k["bytes_min"].get<double>();
    bytesMoved += k["bytes_moved"].get<double>();
  }
  EXPECT_EQ(doc["totals"]["kernels"], doc["kernels"].size());
  EXPECT_DOUBLE_EQ(doc["totals"]["flop"].get<double>(), flop);
  EXPECT_DOUBLE_EQ(doc["totals"]["bytes_min"].get<double>(), bytesMin);
  EXPECT_DOUBLE_EQ(doc["totals"]["bytes_moved"].get<double>(), bytesMoved);
  EXPECT_GE(flop, 2.0 * 16 * 32 * 64);
}

TEST(Report, FusionAtO3LeavesOneKernelMovingFewerBytes) {
  nlohmann::json o0 = jsonReport("-O0"), o3 = jsonReport("-O3");
  EXPECT_GE(o0["kernels"].size(), 4u);
  ASSERT_EQ(o3["kernels"].size(), 1u);
  EXPECT_EQ(o3["kernels"][0]["ops"], (nlohmann::json{"fc", "bias", "act", "squash"}));
  EXPECT_LT(o3["totals"]["bytes_moved"].get<double>(), o0["totals"]["bytes_moved"].get<double>());
  // -O0 keeps three [16,64] transients; reuse needs two of them at once, fusion none.
  EXPECT_EQ(o0["memory"]["transient_bytes"], 3 * 16 * 64 * 4);
  EXPECT_EQ(o0["memory"]["planned_bytes"], 2 * 16 * 64 * 4);
  EXPECT_EQ(o3["memory"]["planned_bytes"], 0);
}

TEST(Report, MeasureAddsTimeBandwidthAndMue) {
  nlohmann::json doc = jsonReport("-O3 --measure");
  ASSERT_EQ(doc["kernels"].size(), 1u);
  const auto& k = doc["kernels"][0];
  ASSERT_TRUE(k.contains("time_ms") && k.contains("bandwidth_gbs") && k.contains("mue"));
  EXPECT_GT(k["time_ms"].get<double>(), 0);
  double gbs = k["bytes_moved"].get<double>() / (k["time_ms"].get<double>() * 1e6);
  EXPECT_NEAR(k["bandwidth_gbs"].get<double>(), gbs, 1e-9 * gbs);
  EXPECT_NEAR(k["mue"].get<double>(), gbs / doc["peak_gbs"].get<double>(), 1e-9);  // Q = D here
  EXPECT_TRUE(doc["totals"].contains("time_ms"));
}

TEST(Report, TextShowsEveryKernelTheTotalsAndTheTransientMemory) {
  testing::CommandResult r = report("-O0");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  EXPECT_NE(r.output.find("transient memory: "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("total ("), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("fc"), std::string::npos) << r.output;
}

TEST(Report, HtmlIsOneSelfContainedPageWithSvgCharts) {
  fs::path out = fs::path(CONFLUX_TEST_OUTPUT_DIR) / "report_mlp.html";
  fs::remove(out);
  testing::CommandResult r = report("--format html -O3 -o " + out.string());
  ASSERT_EQ(r.exitCode, 0) << r.output;
  std::ifstream in(out);
  std::ostringstream html;
  html << in.rdbuf();
  std::string page = html.str();
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(page.find("<svg"), std::string::npos);
  EXPECT_NE(page.find("<svg"), page.rfind("<svg")) << "two charts";
  EXPECT_EQ(page.find("src=\"http"), std::string::npos);
  EXPECT_EQ(page.find("href=\"http"), std::string::npos);
  EXPECT_EQ(page.find("<script src"), std::string::npos);
}

/// Renders `html` to a PNG with headless Chromium; returns the PNG's bytes (empty on failure).
std::string renderInChromium(const fs::path& html, const std::string& name) {
  fs::path png = fs::path(CONFLUX_TEST_OUTPUT_DIR) / (name + ".png");
  fs::remove(png);
  fs::path profile = fs::path(CONFLUX_TEST_OUTPUT_DIR) / (name + ".chromium");
  testing::CommandResult r = testing::runShell(
      "timeout 120 chromium --headless --no-sandbox --disable-gpu --user-data-dir=" + profile.string() +
          " --window-size=1200,1400 --screenshot=" + png.string() + " file://" + fs::absolute(html).string(),
      testing::testLogPath(CONFLUX_TEST_OUTPUT_DIR));
  std::ifstream in(png, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return r.exitCode == 0 ? bytes.str() : std::string();
}

TEST(Report, HtmlRendersInHeadlessChromium) {
  if (testing::runShell("command -v chromium", testing::testLogPath(CONFLUX_TEST_OUTPUT_DIR)).exitCode != 0)
    GTEST_SKIP() << "chromium is not installed (scripts/setup.sh installs it)";
  fs::path page = fs::path(CONFLUX_TEST_OUTPUT_DIR) / "report_render.html";
  ASSERT_EQ(report("--format html -O0 --measure -o " + page.string()).exitCode, 0);
  fs::path blank = fs::path(CONFLUX_TEST_OUTPUT_DIR) / "blank.html";
  std::ofstream(blank) << "<!DOCTYPE html><html><body></body></html>";
  std::string drawn = renderInChromium(page, "report_render"), empty = renderInChromium(blank, "blank");
  ASSERT_FALSE(drawn.empty());
  ASSERT_FALSE(empty.empty());
  EXPECT_EQ(drawn.substr(1, 3), "PNG");
  // Text, bars and the roofline make a PNG several times larger than a blank page's.
  EXPECT_GT(drawn.size(), 4 * empty.size()) << drawn.size() << " vs blank " << empty.size();
}

}  // namespace
}  // namespace conflux
