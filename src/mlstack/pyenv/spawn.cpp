// SPDX-License-Identifier: MIT
#include "mlstack/pyenv/spawn.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <string_view>
#include <thread>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;  // NOLINT(readability-redundant-declaration): POSIX, not in a header

namespace mlstack::pyenv {
namespace {

// The lowest descriptor a pipe end may have here: the child's 0..3 are set with dup2 from
// these, so none of them may already be one of 0..3 (mlstack run with stdout closed).
constexpr int k_min_pipe_fd = 10;

void close_fd(int& fd) noexcept {
  if (fd >= 0) {
    ::close(fd);
    fd = -1;
  }
}

// A close-on-exec pipe (no other child inherits it: probes run in parallel threads).
class Pipe {
 public:
  Pipe() noexcept {
    std::array<int, 2> fds{-1, -1};
    if (::pipe2(fds.data(), O_CLOEXEC) != 0) {
      return;
    }
    for (std::size_t i = 0; i < 2; ++i) {
      m_fds.at(i) = ::fcntl(fds.at(i), F_DUPFD_CLOEXEC, k_min_pipe_fd);
      ::close(fds.at(i));
    }
    m_ok = m_fds[0] >= 0 && m_fds[1] >= 0;
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  Pipe(Pipe&&) = delete;
  Pipe& operator=(Pipe&&) = delete;
  ~Pipe() {
    close_read();
    close_write();
  }
  [[nodiscard]] bool ok() const noexcept { return m_ok; }
  [[nodiscard]] int read_end() const noexcept { return m_fds[0]; }
  [[nodiscard]] int write_end() const noexcept { return m_fds[1]; }
  void close_read() noexcept { close_fd(m_fds[0]); }
  void close_write() noexcept { close_fd(m_fds[1]); }

 private:
  std::array<int, 2> m_fds{-1, -1};
  bool m_ok = false;
};

std::chrono::milliseconds left_until(std::chrono::steady_clock::time_point deadline) {
  return std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
}

// Whether `pid` has exited, without reaping it: while it is a zombie its pid (the group's id)
// cannot be reused, so killing the group stays safe.
bool has_exited(pid_t pid) noexcept {
  siginfo_t info{};
  info.si_pid = 0;
  if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
    return errno != EINTR;  // ECHILD: nothing to wait for
  }
  return info.si_pid == pid;
}

// has_exited until `deadline`; false when it has not exited by then. A child can close its
// output and linger, so the wait polls (1 ms, growing to 20 ms) instead of blocking.
bool wait_exit_until(pid_t pid, std::chrono::steady_clock::time_point deadline) {
  auto nap = std::chrono::milliseconds(1);
  while (!has_exited(pid)) {
    const auto left = left_until(deadline);
    if (left.count() <= 0) {
      return false;
    }
    std::this_thread::sleep_for(std::min(nap, left));
    nap = std::min(nap * 2, std::chrono::milliseconds(20));
  }
  return true;
}

// `8 MiB`, `1 MiB`, `512 KiB`, `100 bytes`.
std::string describe_size(std::size_t bytes) {
  if (bytes >= (std::size_t{1} << 20U) && bytes % (std::size_t{1} << 20U) == 0) {
    return fmt::format("{} MiB", bytes >> 20U);
  }
  if (bytes >= 1024 && bytes % 1024 == 0) {
    return fmt::format("{} KiB", bytes >> 10U);
  }
  return fmt::format("{} bytes", bytes);
}

// Appends to a CapturedStream within a cap: everything up to `cap`; past it, either nothing
// (`stop`: the caller stops the child) or the first half and a moving last half.
class Sink {
 public:
  Sink(CapturedStream& stream, std::size_t cap, OnOverflow overflow) noexcept
      : m_stream(stream), m_cap(cap), m_overflow(overflow) {}

  // False when `data` does not fit and the child must be stopped.
  bool append(std::string_view data) {
    m_stream.bytes += data.size();
    if (m_overflow == OnOverflow::stop) {
      if (m_stream.head.size() + data.size() > m_cap) {
        return false;
      }
      m_stream.head.append(data);
      return true;
    }
    const std::size_t head_cap = m_cap - m_cap / 2;
    const std::size_t to_head = std::min(data.size(), head_cap - m_stream.head.size());
    m_stream.head.append(data.substr(0, to_head));
    data.remove_prefix(to_head);
    const std::size_t tail_cap = m_cap / 2;
    if (data.size() >= tail_cap) {
      m_stream.tail.assign(data.substr(data.size() - tail_cap));
      return true;
    }
    m_stream.tail.append(data);
    if (m_stream.tail.size() > 2 * tail_cap) {  // trimmed now and then: linear in all
      m_stream.tail.erase(0, m_stream.tail.size() - tail_cap);
    }
    return true;
  }

  void finish() {
    const std::size_t tail_cap = m_cap / 2;
    if (m_stream.tail.size() > tail_cap) {
      m_stream.tail.erase(0, m_stream.tail.size() - tail_cap);
    }
  }

 private:
  CapturedStream& m_stream;
  std::size_t m_cap;
  OnOverflow m_overflow;
};

// This process's environment with `overrides` (`NAME=value`) set.
std::vector<std::string> child_environment(const std::vector<std::string>& overrides) {
  std::vector<std::string> env;
  const auto overridden = [&overrides](std::string_view entry) {
    const std::string_view name = entry.substr(0, entry.find('='));
    return std::any_of(overrides.begin(), overrides.end(), [name](const std::string& o) {
      return std::string_view(o).substr(0, o.find('=')) == name;
    });
  };
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    if (!overridden(*e)) {
      env.emplace_back(*e);
    }
  }
  env.insert(env.end(), overrides.begin(), overrides.end());
  return env;
}

std::vector<char*> pointers(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (const std::string& s : strings) {
    out.push_back(const_cast<char*>(s.c_str()));  // NOLINT: posix_spawn's signature
  }
  out.push_back(nullptr);
  return out;
}

Error cannot_run(const std::string& program, int error_number) {
  std::string text = std::strerror(error_number);
  if (!text.empty()) {
    text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  }
  return make_error(error_number == ENOENT ? ErrorCode::not_found : ErrorCode::io,
                    fmt::format("cannot run `{}`: {}", program, text));
}

// Reads after the child's end: enough to empty a pipe (64 KiB by default, at most 1 MiB unless
// raised) and bounded when a process out of reach keeps writing.
constexpr int k_drain_rounds = 64;

// The streams being read: stdout, stderr and the optional answer pipe.
struct Reader {
  std::array<pollfd, 3> fds{};
  std::array<Sink*, 3> sinks{};
  std::array<int, 3> stream_ids{1, 2, k_answer_fd};
  std::size_t count = 0;
  int open_count = 0;
  int overflowed = 0;  // the stream id past its cap

  void add(int fd, Sink& sink) {
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    fds.at(count) = pollfd{fd, POLLIN, 0};
    sinks.at(count) = &sink;
    ++count;
    ++open_count;
  }

  // Reads what `fds[i]` holds now (at most `rounds` buffers), closing it at end of file.
  void read_some(std::size_t i, int rounds, std::array<char, 65536>& buffer) {
    for (int round = 0; round < rounds && fds.at(i).fd >= 0 && overflowed == 0; ++round) {
      const ssize_t n = ::read(fds.at(i).fd, buffer.data(), buffer.size());
      if (n > 0) {
        if (!sinks.at(i)->append(std::string_view(buffer.data(), static_cast<std::size_t>(n)))) {
          overflowed = stream_ids.at(i);
        }
        continue;
      }
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n < 0 && errno == EAGAIN) {
        return;
      }
      fds.at(i).fd = -1;  // end of file or an error; the Pipe closes it
      --open_count;
    }
  }

  // Everything the pipes hold now, without waiting for more (the child is gone).
  void drain(std::array<char, 65536>& buffer) {
    for (std::size_t i = 0; i < count; ++i) {
      read_some(i, k_drain_rounds, buffer);
    }
  }
};

}  // namespace

Result<ChildRun> run_child(const std::vector<std::string>& argv, const ChildOptions& options) {
  const std::string& program = argv.at(0);
  const auto start = std::chrono::steady_clock::now();
  Pipe out;
  Pipe err;
  Pipe answer;
  const bool with_answer = options.max_answer > 0;
  if (!out.ok() || !err.ok() || (with_answer && !answer.ok())) {
    return unexpected(cannot_run(program, errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out.write_end(), 1);
  posix_spawn_file_actions_adddup2(&actions, err.write_end(), 2);
  if (with_answer) {
    posix_spawn_file_actions_adddup2(&actions, answer.write_end(), k_answer_fd);
  }
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> args = pointers(argv);
  const std::vector<std::string> env_strings = options.environment.empty()
                                                   ? std::vector<std::string>{}
                                                   : child_environment(options.environment);
  std::vector<char*> env = pointers(env_strings);
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, program.c_str(), &actions, &attr, args.data(),
                               options.environment.empty() ? environ : env.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    return unexpected(cannot_run(program, rc));
  }
  out.close_write();
  err.close_write();
  answer.close_write();

  ChildRun run;
  Sink out_sink(run.out, options.limits.max_stdout, options.overflow);
  Sink err_sink(run.err, options.limits.max_stderr, options.overflow);
  CapturedStream answer_stream;
  Sink answer_sink(answer_stream, options.max_answer, OnOverflow::stop);
  Reader reader;
  reader.add(out.read_end(), out_sink);
  reader.add(err.read_end(), err_sink);
  if (with_answer) {
    reader.add(answer.read_end(), answer_sink);
  }

  // Read until the child exits (or every stream is closed, then wait for the exit), the
  // deadline passes or a stream overflows. The exit is checked between reads and at least
  // every 25 ms: a grandchild holding the pipes must not keep us here.
  const auto deadline = start + options.timeout;
  bool timed_out = false;
  bool exited = false;
  std::array<char, 65536> buffer{};
  while (reader.open_count > 0 && reader.overflowed == 0) {
    const auto left = left_until(deadline);
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    const auto slice = std::min(left, std::chrono::milliseconds(25));
    const int ready = ::poll(reader.fds.data(), reader.count, static_cast<int>(slice.count()));
    if (ready < 0 && errno != EINTR) {
      break;
    }
    for (std::size_t i = 0; ready > 0 && i < reader.count; ++i) {
      if (reader.fds.at(i).fd >= 0 && reader.fds.at(i).revents != 0) {
        reader.read_some(i, 4, buffer);
      }
    }
    if (reader.overflowed == 0 && has_exited(pid)) {
      exited = true;
      break;
    }
  }
  if (!timed_out && !exited && reader.overflowed == 0) {
    // Every stream closed (or poll failed): the exit, still within the deadline.
    exited = wait_exit_until(pid, deadline);
    timed_out = !exited;
  }
  if (exited && reader.overflowed == 0) {
    // What the child wrote is in the pipes: a stream still open after reading it is held by
    // another process.
    reader.drain(buffer);
    run.output_held_open = reader.open_count > 0;
  }
  // The child is a zombie or still running: its pid is the group's id either way.
  ::kill(-pid, SIGKILL);
  if (!exited) {
    ::kill(pid, SIGKILL);
  }
  if (reader.overflowed == 0) {
    reader.drain(buffer);  // what the killed group wrote before the end
  }
  int status = 0;
  rusage usage{};
  while (::wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
  }
  out_sink.finish();
  err_sink.finish();
  run.answer = std::move(answer_stream.head);
  run.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  run.cpu_s = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
              static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  if (reader.overflowed != 0) {
    run.end = ChildRun::End::overflowed;
    run.overflowed_stream = reader.overflowed;
  } else if (timed_out) {
    run.end = ChildRun::End::timed_out;
  } else if (WIFSIGNALED(status)) {
    run.end = ChildRun::End::signaled;
    run.signal = WTERMSIG(status);
  } else {
    run.end = ChildRun::End::exited;
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 255;
  }
  return run;
}

Result<ProcessOutput> run_process(const std::vector<std::string>& argv,
                                  std::chrono::milliseconds timeout, const OutputLimits& limits) {
  ChildOptions options;
  options.timeout = timeout;
  options.limits = limits;
  MLSTACK_TRY_ASSIGN(ChildRun run, run_child(argv, options));
  const std::string& program = argv.at(0);
  switch (run.end) {
    case ChildRun::End::overflowed: {
      const bool to_stdout = run.overflowed_stream == 1;
      return unexpected(make_error(
          ErrorCode::invalid_data,
          fmt::format("`{}` wrote more than {} to {}; stopped it", program,
                      describe_size(to_stdout ? limits.max_stdout : limits.max_stderr),
                      to_stdout ? "stdout" : "stderr")));
    }
    case ChildRun::End::timed_out: {
      const double seconds = static_cast<double>(timeout.count()) / 1000.0;
      return unexpected(make_error(
          ErrorCode::timeout, fmt::format("`{}` did not answer within {:g} s", program, seconds)));
    }
    case ChildRun::End::signaled:
    case ChildRun::End::exited:
      break;
  }
  ProcessOutput result;
  result.stdout_text = std::move(run.out.head);
  result.stderr_text = std::move(run.err.head);
  result.exit_status = run.end == ChildRun::End::signaled ? 128 + run.signal : run.exit_code;
  return result;
}

}  // namespace mlstack::pyenv
