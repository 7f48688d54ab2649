// `conflux compile --target cpu`: a header and a static library that a C++ program links and
// runs without Conflux, its loops on Conflux's thread pool; its outputs against the
// JIT-compiled program's and the reference's.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/conflux.h"
#include "tests/support/graph_json.h"
#include "tests/support/shell.h"

namespace conflux {
namespace {

namespace fs = std::filesystem;

/// Input values both the linked program and this test compute: element i of input `which`.
double inputValue(int which, int64_t i) {
  return std::sin(0.37 * static_cast<double>(i) + which);
}

/// convBlockJson over a 16x16 image: the same kernels by name, other shapes.
std::string widerConvBlockJson() {
  std::string json = testing::convBlockJson();
  json.replace(json.find("[1, 16, 14, 14]"), 15, "[1, 16, 16, 16]");
  json.replace(json.find("[1, 24, 7, 7]"), 13, "[1, 24, 8, 8]");
  return json;
}

/// A C++ program linking both exported models: it fills the inputs, runs convs twice (its
/// memory must survive a run) and writes its output's floats to argv[1], and runs convs16,
/// whose pipelines have the same names as convs's; it prints how many of its threads are
/// conflux's pool's workers, and whether calls of convs from two threads at once, on inputs of
/// their own, each got the output a call alone gets.
const char* kMain = R"(#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>
#include "convs.h"
#include "convs16.h"
int poolWorkers() {
  int workers = 0;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::string name;
    std::getline(std::ifstream(task.path() / "comm"), name);
    workers += name == "conflux-pool";
  }
  return workers;
}
int main(int, char** argv) {
  std::vector<float> x(16 * 16 * 16), w3(24 * 32 * 9), y(24 * 7 * 7, -1.0f), y16(24 * 8 * 8);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(std::sin(0.37 * i + 0));
  for (size_t i = 0; i < w3.size(); ++i) w3[i] = static_cast<float>(std::sin(0.37 * i + 1));
  const void* inputs[convs_num_inputs] = {x.data(), w3.data()};
  void* outputs[convs_num_outputs] = {y.data()};
  void* outputs16[convs16_num_outputs] = {y16.data()};
  for (int run = 0; run < 2; ++run)
    if (convs_run(inputs, outputs) != 0 || convs16_run(inputs, outputs16) != 0) return 1;
  std::printf("conflux-pool workers: %d\n", poolWorkers());
  std::vector<float> x2(x.size()), alone2(y.size()), mine(y.size()), theirs(y.size());
  for (size_t i = 0; i < x.size(); ++i) x2[i] = 2 * x[i];
  const void* inputs2[convs_num_inputs] = {x2.data(), w3.data()};
  void* outputsAlone2[convs_num_outputs] = {alone2.data()};
  if (convs_run(inputs2, outputsAlone2) != 0) return 1;
  std::atomic<bool> same{true};
  auto calls = [&](const void* const* in, std::vector<float>& out, const std::vector<float>& alone) {
    void* o[convs_num_outputs] = {out.data()};
    for (int run = 0; run < 100; ++run)
      if (convs_run(in, o) != 0 || out != alone) same = false;
  };
  std::thread other(calls, inputs2, std::ref(theirs), std::cref(alone2));
  calls(inputs, mine, y);
  other.join();
  std::printf("calls from two threads: %s\n", same ? "as alone" : "wrong");
  FILE* out = std::fopen(argv[1], "wb");
  std::fwrite(y.data(), sizeof(float), y.size(), out);
  return std::fclose(out) == 0 ? 0 : 1;
}
)";

TEST(CompileCommand, ALinkedProgramComputesWhatTheJitDoesBesideAnotherModel) {
  fs::path dir = fs::path(CONFLUX_TEST_OUTPUT_DIR) / "compile_aot";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "convs.json") << testing::convBlockJson();
  std::ofstream(dir / "convs16.json") << widerConvBlockJson();
  std::ofstream(dir / "main.cpp") << kMain;
  fs::path log = dir / "log.txt";
  for (const char* model : {"convs", "convs16"}) {
    testing::CommandResult compiled =
        testing::runShell(std::string(CONFLUX_BINARY) + " compile " +
                              (dir / (std::string(model) + ".json")).string() +
                              " --target cpu -o " + (dir / "out").string(),
                          log);
    ASSERT_EQ(compiled.exitCode, 0) << compiled.output;
    EXPECT_TRUE(fs::exists(dir / "out" / (std::string(model) + ".h")));
    ASSERT_TRUE(fs::exists(dir / "out" / ("lib" + std::string(model) + ".a")));
  }
  testing::CommandResult linked = testing::runShell(
      "c++ -O1 " + (dir / "main.cpp").string() + " -I " + (dir / "out").string() + " -L " +
          (dir / "out").string() + " -lconvs -lconvs16 -lstdc++ -lpthread -ldl -lm -o " +
          (dir / "program").string() + " && HL_NUM_THREADS=2 " + (dir / "program").string() + " " +
          (dir / "y.bin").string(),
      log);
  ASSERT_EQ(linked.exitCode, 0) << linked.output;
  // The libraries' loops ran on conflux's pool (a worker each for its two threads), not Halide's.
  EXPECT_NE(linked.output.find("conflux-pool workers: 2"), std::string::npos) << linked.output;
  EXPECT_NE(linked.output.find("calls from two threads: as alone"), std::string::npos) << linked.output;

  ir::Graph graph = api::load((dir / "convs.json").string());
  api::TensorMap inputs;
  for (int which = 0; which < 2; ++which) {
    const std::string& name = graph.inputs()[static_cast<size_t>(which)];
    ir::Tensor t(ir::DType::F32, graph.array(name).shape, name);
    for (int64_t i = 0; i < t.numElements(); ++i)
      t.set(i, static_cast<float>(inputValue(which, i)));
    inputs.emplace(name, std::move(t));
  }
  ir::Graph optimised = graph;
  api::optimize(optimised, {});
  ir::Tensor jit = api::compile(optimised, "cpu")->run(inputs).at("y");
  ir::Tensor reference = api::compile(graph, "reference")->run(inputs).at("y");
  std::vector<float> aot(static_cast<size_t>(jit.numElements()));
  std::ifstream in(dir / "y.bin", std::ios::binary);
  in.read(reinterpret_cast<char*>(aot.data()),
          static_cast<std::streamsize>(aot.size() * sizeof(float)));
  ASSERT_TRUE(in) << "the program wrote fewer floats than y has";
  for (int64_t i = 0; i < jit.numElements(); ++i) {
    EXPECT_EQ(aot[static_cast<size_t>(i)], jit.at(i)) << "element " << i;  // the same code
    EXPECT_NEAR(aot[static_cast<size_t>(i)], reference.at(i),
                1e-4 * std::max(1.0, std::abs(reference.at(i))));
  }
}

TEST(CompileCommand, TheHeaderStatesTheInstructionSetAndTheEntryChecksIt) {
  fs::path dir = fs::path(CONFLUX_TEST_OUTPUT_DIR) / "compile_isa";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "convs.json") << testing::convBlockJson();
  testing::CommandResult compiled = testing::runShell(
      std::string(CONFLUX_BINARY) + " compile " + (dir / "convs.json").string() + " --emit obj,header,source -o " +
          (dir / "out").string(),
      dir / "log.txt");
  ASSERT_EQ(compiled.exitCode, 0) << compiled.output;
  std::stringstream header, entry, cpuinfo;
  header << std::ifstream(dir / "out" / "convs.h").rdbuf();
  entry << std::ifstream(dir / "out" / "convs_entry.c").rdbuf();
  cpuinfo << std::ifstream("/proc/cpuinfo").rdbuf();
  EXPECT_NE(header.str().find("// Built for x86-64"), std::string::npos) << header.str();
  // Code for this machine uses AVX-512 exactly when it has it; the entry checks what it uses.
  bool avx512 = cpuinfo.str().find(" avx512f") != std::string::npos;
  EXPECT_EQ(header.str().find("avx512f") != std::string::npos, avx512) << header.str();
  EXPECT_EQ(entry.str().find("__builtin_cpu_supports(\"avx512f\")") != std::string::npos, avx512);
  EXPECT_NE(entry.str().find("__builtin_cpu_supports(\"avx2\")"), std::string::npos);
}

TEST(CompileCommand, TargetsWithoutAheadOfTimeOutputAreAClearError) {
  fs::path dir = fs::path(CONFLUX_TEST_OUTPUT_DIR) / "compile_errors";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "convs.json") << testing::convBlockJson();
  fs::path log = dir / "log.txt";
  std::string compile = std::string(CONFLUX_BINARY) + " compile " + (dir / "convs.json").string();
  testing::CommandResult noDir = testing::runShell(compile + " --target cpu", log);
  EXPECT_EQ(noDir.exitCode, 2);
  EXPECT_NE(noDir.output.find("-o DIR"), std::string::npos) << noDir.output;
  testing::CommandResult asm_ = testing::runShell(
      compile + " --target cpu -o " + (dir / "out").string() + " --emit asm", log);
  EXPECT_EQ(asm_.exitCode, 2);
  EXPECT_NE(asm_.output.find("--emit asm"), std::string::npos) << asm_.output;
  testing::CommandResult reference =
      testing::runShell(compile + " --target reference -o " + (dir / "out").string(), log);
  EXPECT_EQ(reference.exitCode, 2);
  EXPECT_NE(reference.output.find("reference"), std::string::npos) << reference.output;
}

}  // namespace
}  // namespace conflux
