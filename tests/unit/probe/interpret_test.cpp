// SPDX-License-Identifier: MIT
#include "mlstack/probe/interpret.hpp"

#include <gtest/gtest.h>

#include <csignal>

namespace mlstack::probe {
namespace {

pyenv::ChildRun exited(int code, std::string answer) {
  pyenv::ChildRun run;
  run.end = pyenv::ChildRun::End::exited;
  run.exit_code = code;
  run.answer = std::move(answer);
  return run;
}

const char* const k_two_imports =
    R"({"event": "baseline", "python": "3.11.7", "mapped": ["/usr/bin/python3.11"]})"
    "\n"
    R"({"event": "start", "framework": "torch"})"
    "\n"
    R"({"event": "import", "framework": "torch", "ok": true, "import_s": 1.5, )"
    R"("version": "2.15.0", "mapped": ["/t/libtorch.so", "/usr/bin/python3.11"]})"
    "\n"
    R"({"event": "start", "framework": "jax"})"
    "\n";

TEST(InterpretRun, KeepsWhatTheFirstImportSawWhenTheSecondCrashes) {
  pyenv::ChildRun run = exited(0, k_two_imports);
  run.end = pyenv::ChildRun::End::signaled;
  run.signal = SIGSEGV;
  run.err.head = "line 1\nFatal Python error: Segmentation fault\n";
  const facts::ProbeResult r = interpret_run({"torch", "jax"}, run, 10);
  EXPECT_EQ(r.status, "crash");
  EXPECT_EQ(r.signal, SIGSEGV);
  EXPECT_EQ(r.signal_name, "SIGSEGV");
  EXPECT_EQ(r.error, "killed by SIGSEGV during the import of jax");
  EXPECT_EQ(r.stderr_tail, "line 1\nFatal Python error: Segmentation fault");
  ASSERT_EQ(r.imports.size(), 2U);
  EXPECT_EQ(r.imports[0].status, "ok");
  EXPECT_EQ(r.imports[0].mapped_new, std::vector<std::string>{"/t/libtorch.so"});
  EXPECT_DOUBLE_EQ(r.imports[0].import_s, 1.5);
  EXPECT_EQ(r.imports[1].framework, "jax");
  EXPECT_EQ(r.imports[1].status, "crash");
  EXPECT_EQ(r.versions.at("torch"), "2.15.0");
  EXPECT_EQ(r.baseline, std::vector<std::string>{"/usr/bin/python3.11"});
  EXPECT_EQ(r.mapped, (std::vector<std::string>{"/t/libtorch.so", "/usr/bin/python3.11"}));
}

TEST(InterpretRun, ReadsDevicesAndWhatTheirListingMapped) {
  const std::string answer =
      std::string(k_two_imports, std::string_view(k_two_imports).rfind(R"({"event": "start")")) +
      R"({"event": "devices", "framework": "torch", "devices": ["cuda:0"], "backends": [], )"
      R"("notes": []})"
      "\n"
      R"({"event": "devices", "framework": "jax", "devices": null, "backends": ["cpu"], )"
      R"("notes": ["jax: devices not listed"]})"
      "\n"
      R"({"event": "done", "mapped": ["/t/libcuda.so.1", "/t/libtorch.so", "/usr/bin/python3.11"]})"
      "\n";
  const facts::ProbeResult r = interpret_run({"torch"}, exited(0, answer), 10);
  EXPECT_EQ(r.status, "ok");
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.stderr_tail, "");
  EXPECT_EQ(r.devices.at("torch"), std::vector<std::string>{"cuda:0"});
  EXPECT_EQ(r.devices.count("jax"), 0U);
  EXPECT_EQ(r.backends.at("jax"), std::vector<std::string>{"cpu"});
  EXPECT_EQ(r.notes, std::vector<std::string>{"jax: devices not listed"});
  EXPECT_EQ(r.mapped_by_devices, std::vector<std::string>{"/t/libcuda.so.1"});
}

TEST(InterpretRun, NamesWhereAProbeEndedWithoutAnAnswer) {
  facts::ProbeResult r = interpret_run({"torch", "jax"}, exited(3, k_two_imports), 10);
  EXPECT_EQ(r.status, "exit");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.error, "exit status 3 during the import of jax");
  EXPECT_EQ(r.imports.back().status, "exit");

  pyenv::ChildRun cut = exited(0, std::string(k_two_imports) + R"({"event": "imp)");
  cut.end = pyenv::ChildRun::End::timed_out;
  r = interpret_run({"torch", "jax"}, cut, 2.5);
  EXPECT_EQ(r.status, "timeout");
  EXPECT_EQ(r.error,
            "no answer within 2.5 s (during the import of jax); its process group was killed");
  EXPECT_EQ(r.notes, std::vector<std::string>{"its answer ended in the middle of a record"});

  r = interpret_run({"torch"}, exited(1, ""), 10);
  EXPECT_EQ(r.status, "exit");
  EXPECT_EQ(r.error, "exit status 1 before the first import");
}

TEST(InterpretRun, ReportsTheExceptionOfAFailedImport) {
  const std::string answer =
      std::string(k_two_imports) +
      R"({"event": "import", "framework": "jax", "ok": false, "import_s": 0.1, )"
      R"("error": "ImportError: libcudart.so.13: cannot open shared object file", )"
      R"("mapped": ["/t/libtorch.so", "/usr/bin/python3.11"]})"
      "\n";
  pyenv::ChildRun run = exited(0, answer);
  run.err.head = "Traceback (most recent call last):\nImportError: libcudart.so.13\n";
  const facts::ProbeResult r = interpret_run({"torch", "jax"}, run, 10);
  EXPECT_EQ(r.status, "import-error");
  EXPECT_EQ(r.error, "jax: ImportError: libcudart.so.13: cannot open shared object file");
  EXPECT_EQ(r.imports[1].status, "import-error");
  EXPECT_TRUE(r.imports[1].mapped_new.empty());
  EXPECT_EQ(r.stderr_tail, "Traceback (most recent call last):\nImportError: libcudart.so.13");
}

TEST(LastLines, KeepsTheLastLines) {
  EXPECT_EQ(last_lines("a\nb\nc\n", 2), "b\nc");
  EXPECT_EQ(last_lines("a\nb\nc", 5), "a\nb\nc");
  EXPECT_EQ(last_lines("\n\nc", 5), "\nc");
  EXPECT_EQ(last_lines("abc", 0), "");
  EXPECT_EQ(last_lines(std::string(5000, 'x'), 1).size(), 4000U);
}

TEST(SignalName, NamesSignals) {
  EXPECT_EQ(signal_name(SIGSEGV), "SIGSEGV");
  EXPECT_EQ(signal_name(SIGKILL), "SIGKILL");
  EXPECT_EQ(signal_name(SIGABRT), "SIGABRT");
}

}  // namespace
}  // namespace mlstack::probe
