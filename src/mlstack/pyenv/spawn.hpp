// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace mlstack::pyenv {

/// What a finished child process left.
struct ProcessOutput {
  std::string stdout_text;
  std::string stderr_text;
  int exit_status = 0;  // exit code, or 128 + signal number
};

/// How much of a child's output is kept: past either cap the child is stopped (run_process;
/// run_child: see OnOverflow).
struct OutputLimits {
  std::size_t max_stdout = std::size_t{8} << 20U;
  std::size_t max_stderr = std::size_t{1} << 20U;
};

/// Runs `argv` (argv[0] is a path; no shell, no PATH search) with stdin from /dev/null and
/// stdout/stderr captured, in its own process group. The timeout covers the whole run: reading
/// either stream and waiting for the exit (a child that closes its output and lingers is
/// stopped too). When `timeout` passes, the whole group is killed (SIGKILL) and the error is
/// "`argv[0]` did not answer within N s" (code `timeout`). Output past a cap of `limits` kills
/// the group as well: "`argv[0]` wrote more than N bytes to stdout" (code `invalid_data`). A
/// failed exec gives "cannot run `argv[0]`: <strerror>". Once the child has exited, what is
/// left of its process group is killed (see run_child).
[[nodiscard]] Result<ProcessOutput> run_process(const std::vector<std::string>& argv,
                                                std::chrono::milliseconds timeout,
                                                const OutputLimits& limits = {});

/// What run_child does with a stream past its cap.
enum class OnOverflow : std::uint8_t {
  stop,       // kill the process group; ChildRun::end is `overflowed`
  keep_ends,  // keep reading (the child is never blocked), keep its first and last half-cap
};

/// The child gets the write end of an answer pipe as this descriptor (ChildOptions::max_answer).
inline constexpr int k_answer_fd = 3;

struct ChildOptions {
  std::chrono::milliseconds timeout{10'000};
  OutputLimits limits;
  OnOverflow overflow = OnOverflow::stop;
  std::vector<std::string> environment;  // `NAME=value`, set over this process's environment
  /// More than 0: descriptor k_answer_fd of the child is a pipe whose text comes back in
  /// ChildRun::answer, up to this many bytes (past it the group is killed: `overflowed`).
  std::size_t max_answer = 0;
};

/// One output stream as kept: everything is `head` + `tail` unless `truncated()`, when the
/// bytes between them were dropped.
struct CapturedStream {
  std::string head;
  std::string tail;
  std::size_t bytes = 0;  // written in all
  [[nodiscard]] bool truncated() const noexcept { return bytes > head.size() + tail.size(); }
  [[nodiscard]] std::string text() const { return head + tail; }
};

/// How a child run by run_child ended, and what it left.
struct ChildRun {
  enum class End : std::uint8_t { exited, signaled, timed_out, overflowed };
  End end = End::exited;
  int exit_code = 0;          // End::exited
  int signal = 0;             // End::signaled
  int overflowed_stream = 0;  // End::overflowed: 1 stdout, 2 stderr, k_answer_fd the answer
  CapturedStream out;
  CapturedStream err;
  std::string answer;
  double wall_s = 0;
  double cpu_s = 0;  // user + system time of the child itself
  // It exited while another process (one it started) still held its output open: that one
  // was killed with the group, or, outside the group, left behind without waiting for it.
  bool output_held_open = false;
};

/// The general form of run_process. The child runs in its own process group with stdin from
/// /dev/null; stdout, stderr (and the answer pipe) are read until the child exits, not until
/// every copy of them is closed: a grandchild that keeps them open holds nothing up. When the
/// child has exited, or `timeout` passes, or (OnOverflow::stop) a stream passes its cap, the
/// whole group is killed with SIGKILL, what is left in the pipes is read, and the child is
/// reaped. A process that left the group (setsid) is out of reach. Errors: only when the child
/// cannot be started ("cannot run `argv[0]`: <strerror>").
[[nodiscard]] Result<ChildRun> run_child(const std::vector<std::string>& argv,
                                         const ChildOptions& options);

}  // namespace mlstack::pyenv
