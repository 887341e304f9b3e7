// SPDX-License-Identifier: MIT
#include "mlstack/pyenv/spawn.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <optional>
#include <thread>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;  // NOLINT(readability-redundant-declaration): POSIX, not in a header

namespace mlstack::pyenv {
namespace {

class Pipe {
 public:
  Pipe() noexcept { m_ok = ::pipe2(m_fds.data(), O_CLOEXEC) == 0; }
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
  static void close_fd(int& fd) noexcept {
    if (fd >= 0) {
      ::close(fd);
      fd = -1;
    }
  }
  std::array<int, 2> m_fds{-1, -1};
  bool m_ok = false;
};

std::chrono::milliseconds left_until(std::chrono::steady_clock::time_point deadline) {
  return std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
}

// waitpid for `pid` until `deadline`; false when it has not exited by then. A child can close
// its output and linger, so the wait polls (1 ms, growing to 20 ms) instead of blocking.
bool wait_until(pid_t pid, std::chrono::steady_clock::time_point deadline, int& status) {
  auto nap = std::chrono::milliseconds(1);
  while (true) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid || (done < 0 && errno != EINTR)) {
      return true;
    }
    const auto left = left_until(deadline);
    if (left.count() <= 0) {
      return false;
    }
    std::this_thread::sleep_for(std::min(nap, left));
    nap = std::min(nap * 2, std::chrono::milliseconds(20));
  }
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

int decode_status(int status) noexcept {
  if (WIFEXITED(status)) {
    return WEXITSTATUS(status);
  }
  if (WIFSIGNALED(status)) {
    return 128 + WTERMSIG(status);
  }
  return 255;
}

}  // namespace

Result<ProcessOutput> run_process(const std::vector<std::string>& argv,
                                  std::chrono::milliseconds timeout, const OutputLimits& limits) {
  const std::string& program = argv.at(0);
  Pipe out;
  Pipe err;
  if (!out.ok() || !err.ok()) {
    return unexpected(make_error(
        ErrorCode::io, fmt::format("cannot run `{}`: {}", program, std::strerror(errno))));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out.write_end(), 1);
  posix_spawn_file_actions_adddup2(&actions, err.write_end(), 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& a : argv) {
    args.push_back(const_cast<char*>(a.c_str()));  // NOLINT: posix_spawn's signature
  }
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, program.c_str(), &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    std::string text = std::strerror(rc);
    if (!text.empty()) {
      text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
    }
    return unexpected(make_error(rc == ENOENT ? ErrorCode::not_found : ErrorCode::io,
                                 fmt::format("cannot run `{}`: {}", program, text)));
  }
  out.close_write();
  err.close_write();

  ProcessOutput result;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::array<pollfd, 2> fds{pollfd{out.read_end(), POLLIN, 0}, pollfd{err.read_end(), POLLIN, 0}};
  std::array<std::string*, 2> sinks{&result.stdout_text, &result.stderr_text};
  const std::array<std::size_t, 2> caps{limits.max_stdout, limits.max_stderr};
  int open_count = 2;
  bool timed_out = false;
  std::optional<std::size_t> overflowed;  // the stream past its cap
  std::array<char, 65536> buffer{};
  while (open_count > 0 && !overflowed) {
    const auto left = left_until(deadline);
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    const int ready = ::poll(fds.data(), fds.size(), static_cast<int>(left.count()));
    if (ready < 0) {
      if (errno == EINTR) {
        continue;
      }
      break;
    }
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) {
        continue;
      }
      const ssize_t n = ::read(fds[i].fd, buffer.data(), buffer.size());
      if (n > 0) {
        if (sinks[i]->size() + static_cast<std::size_t>(n) > caps[i]) {
          overflowed = i;
          break;
        }
        sinks[i]->append(buffer.data(), static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        fds[i].fd = -1;  // the Pipe closes it
        --open_count;
      }
    }
  }
  // Both streams are closed (or given up on): wait for the exit, still within the deadline.
  int status = 0;
  if (!timed_out && !overflowed) {
    timed_out = !wait_until(pid, deadline, status);
  }
  if (timed_out || overflowed) {
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (overflowed) {
    return unexpected(make_error(
        ErrorCode::invalid_data,
        fmt::format("`{}` wrote more than {} to {}; stopped it", program,
                    describe_size(caps[*overflowed]), *overflowed == 0 ? "stdout" : "stderr")));
  }
  if (timed_out) {
    const double seconds = static_cast<double>(timeout.count()) / 1000.0;
    return unexpected(make_error(
        ErrorCode::timeout, fmt::format("`{}` did not answer within {:g} s", program, seconds)));
  }
  result.exit_status = decode_status(status);
  return result;
}

}  // namespace mlstack::pyenv
