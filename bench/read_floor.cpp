// The memory-bandwidth floor of `mlstack compare A B` (issue 11): a plain read pass over the
// same bytes. Maps each file read-only (as mlstack's tensors::MappedFile does: PROT_READ,
// MAP_PRIVATE) and reads every byte once, summing 64-bit words, on THREADS threads (default:
// all cores), each taking one contiguous slice of the total (static split). Prints the sum so
// the reads are not optimised away. bench/compare.sh builds it and runs it in the same
// hyperfine run as mlstack; by hand:
//   g++ -O2 -march=native -std=c++20 -pthread bench/read_floor.cpp -o build/read_floor
//   build/read_floor FILE... [-j THREADS] [--populate]
// --populate maps with MAP_POPULATE (the page tables filled inside mmap, on one thread, and
// still timed) to show what the page faults of a plain mapping cost; compare.sh runs without.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Span {
  const std::uint64_t* words;
  std::size_t count;
};

// Four independent sums: the loop vectorises and is not bound by one addition chain.
std::uint64_t sum_words(const std::uint64_t* p, std::size_t n) {
  std::uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += p[i];
    s1 += p[i + 1];
    s2 += p[i + 2];
    s3 += p[i + 3];
  }
  for (; i < n; ++i) s0 += p[i];
  return s0 + s1 + s2 + s3;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> paths;
  unsigned threads = std::thread::hardware_concurrency();
  int flags = MAP_PRIVATE;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--populate") == 0) {
      flags |= MAP_POPULATE;
    } else if (std::strcmp(argv[i], "-j") == 0 && i + 1 < argc) {
      threads = static_cast<unsigned>(std::atoi(argv[++i]));
    } else {
      paths.emplace_back(argv[i]);
    }
  }
  if (paths.empty() || threads == 0) {
    std::fprintf(stderr, "usage: read_floor FILE... [-j THREADS] [--populate]\n");
    return 2;
  }
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<Span> spans;  // whole 8-byte words of each file (a tail of < 8 bytes is skipped)
  std::size_t total_words = 0;
  for (const auto& path : paths) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st {};
    if (fd < 0 || ::fstat(fd, &st) != 0) {
      std::perror(path.c_str());
      return 2;
    }
    const auto size = static_cast<std::size_t>(st.st_size);
    void* base = size == 0 ? nullptr : ::mmap(nullptr, size, PROT_READ, flags, fd, 0);
    ::close(fd);
    if (base == MAP_FAILED) {
      std::perror(path.c_str());
      return 2;
    }
    spans.push_back({static_cast<const std::uint64_t*>(base), size / 8});
    total_words += size / 8;
  }
  // Thread t reads words [t * total / threads, (t + 1) * total / threads) of the files taken
  // end to end.
  std::vector<std::uint64_t> sums(threads);
  auto work = [&](unsigned t) {
    std::size_t lo = total_words * t / threads;
    const std::size_t hi = total_words * (t + 1) / threads;
    std::uint64_t s = 0;
    std::size_t offset = 0;  // first word of the current file
    for (const auto& span : spans) {
      const std::size_t end = offset + span.count;
      if (lo < end && lo < hi) {
        const std::size_t stop = std::min(hi, end);
        s += sum_words(span.words + (lo - offset), stop - lo);
        lo = stop;
      }
      offset = end;
    }
    sums[t] = s;
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& t : pool) t.join();
  std::uint64_t sum = 0;
  for (auto s : sums) sum += s;
  const double s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%zu bytes, %u thread(s): %.3f s, %.2f GB/s, sum %016llx\n", total_words * 8,
              threads, s, static_cast<double>(total_words) * 8 / s / 1e9,
              static_cast<unsigned long long>(sum));
}
