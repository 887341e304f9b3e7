// The kernel's floor for `check` on this machine: open, read and close each distribution's
// METADATA and WHEEL (the files pip check reads too), nothing parsed, on N threads. Build
// and run by hand (bench/RESULTS.md says where the figures went):
//   g++ -O2 -std=c++20 -pthread bench/io_floor.cpp -o build/io_floor
//   build/io_floor SITE-PACKAGES [THREADS]
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: io_floor SITE-PACKAGES [THREADS]\n");
    return 2;
  }
  const std::string site = argv[1];
  const int threads = argc > 2 ? std::atoi(argv[2]) : 1;
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::string> dists;
  if (DIR* dir = ::opendir(site.c_str())) {
    while (const dirent* e = ::readdir(dir)) {
      if (std::string_view(e->d_name).ends_with(".dist-info")) dists.emplace_back(e->d_name);
    }
    ::closedir(dir);
  }
  std::atomic<std::size_t> next{0}, bytes{0};
  auto work = [&] {
    std::vector<char> buf(1 << 16);
    for (std::size_t i; (i = next++) < dists.size();) {
      for (const char* name : {"/METADATA", "/WHEEL"}) {
        const std::string path = site + "/" + dists[i] + name;
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) continue;
        const ssize_t n = ::read(fd, buf.data(), buf.size());
        if (n > 0) bytes += static_cast<std::size_t>(n);
        ::close(fd);
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%zu distributions, %d thread(s): %.1f ms, %zu bytes\n", dists.size(), threads, ms,
              bytes.load());
}
