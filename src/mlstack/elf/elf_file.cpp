// SPDX-License-Identifier: MIT
#include "mlstack/elf/elf_file.hpp"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace mlstack::elf {
namespace {

Error named(ErrorCode code, std::string message, const std::string& path) {
  return make_error(code, "cannot read `" + path + "`: " + std::move(message));
}

bool libelf_ready() { return elf_version(EV_CURRENT) != EV_NONE; }

// The section's bytes as stored in the file (no conversion, no copy under READ_MMAP).
std::span<const std::byte> raw_bytes(Elf_Scn* scn, const GElf_Shdr& shdr) {
  if (shdr.sh_type == SHT_NOBITS) {
    return {};
  }
  Elf_Data* data = elf_rawdata(scn, nullptr);
  if (data == nullptr || data->d_buf == nullptr) {
    return {};
  }
  return {static_cast<const std::byte*>(data->d_buf), data->d_size};
}

}  // namespace

Result<ElfFile> ElfFile::open(const std::string& path) {
  return open(io::real_file_system(), path);
}

Result<ElfFile> ElfFile::open(const io::FileSystem& fs, const std::string& path) {
  if (!libelf_ready()) {
    return unexpected(named(ErrorCode::unsupported, "libelf is out of date", path));
  }
  // O_NONBLOCK (RealFileSystem): never hang on a FIFO named like a library.
  io::FileRegion region;
  if (const io::IoStatus status = fs.open_region(path, region); !status.ok()) {
    if (status.kind == io::IoStatus::Kind::not_regular ||
        status.kind == io::IoStatus::Kind::is_directory) {
      return unexpected(named(ErrorCode::invalid_data, "not a regular file", path));
    }
    return unexpected(named(status.kind == io::IoStatus::Kind::not_found ? ErrorCode::not_found
                                                                          : ErrorCode::io,
                            io::describe(status), path));
  }
  ElfFile f;
  f.m_path = path;
  f.m_offset = region.offset();
  f.m_size = region.size();
  struct stat st {};
  const bool whole_file = region.offset() == 0 && ::fstat(region.fd(), &st) == 0 &&
                          static_cast<std::uint64_t>(st.st_size) == region.size();
  f.m_fd = region.release();
  if (whole_file) {
    f.m_elf = elf_begin(f.m_fd, ELF_C_READ_MMAP, nullptr);
  } else {
    // A member inside an archive: map its pages (copy-on-write, so that nothing libelf
    // might write reaches the file) and hand libelf the bytes.
    const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
    const std::uint64_t start = f.m_offset - f.m_offset % page;
    const std::uint64_t lead = f.m_offset - start;
    if (region.size() == 0) {
      return unexpected(named(ErrorCode::invalid_data, "not an ELF file", path));
    }
    f.m_map_size = static_cast<std::size_t>(lead + region.size());
    void* map = ::mmap(nullptr, f.m_map_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, f.m_fd,
                       static_cast<off_t>(start));
    if (map == MAP_FAILED) {
      f.m_map_size = 0;
      return unexpected(named(ErrorCode::io, std::strerror(errno), path));  // NOLINT(concurrency-mt-unsafe)
    }
    f.m_map = map;
    f.m_elf = elf_memory(static_cast<char*>(map) + lead, static_cast<std::size_t>(region.size()));
  }
  if (f.m_elf == nullptr || elf_kind(f.m_elf) != ELF_K_ELF) {
    return unexpected(named(ErrorCode::invalid_data, "not an ELF file", path));
  }
  // Random access: readahead around each fatbin entry header would read most of a 1 GB file
  // on a cold cache (measured on torch 1.12.1's libtorch_cuda.so: 634 MB read without this,
  // 24 MB with it). Advice only: a failure changes nothing but speed.
  std::size_t size = 0;
  if (char* base = elf_rawfile(f.m_elf, &size); base != nullptr && size > 0) {
    const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    const auto at = reinterpret_cast<std::uintptr_t>(base);  // NOLINT
    ::madvise(reinterpret_cast<char*>(at - at % page), size + at % page,  // NOLINT
              MADV_RANDOM);
  }
  // The same for pread (read_at: fatbin entry headers).
  ::posix_fadvise(f.m_fd, 0, 0, POSIX_FADV_RANDOM);
  return f;
}

Result<ElfFile> ElfFile::from_memory(std::string_view bytes, std::string name) {
  if (!libelf_ready()) {
    return unexpected(named(ErrorCode::unsupported, "libelf is out of date", name));
  }
  ElfFile f;
  f.m_path = std::move(name);
  f.m_image.assign(bytes.begin(), bytes.end());
  f.m_elf = elf_memory(f.m_image.data(), f.m_image.size());
  if (f.m_elf == nullptr || elf_kind(f.m_elf) != ELF_K_ELF) {
    return unexpected(named(ErrorCode::invalid_data, "not an ELF file", f.m_path));
  }
  return f;
}

ElfFile::ElfFile(ElfFile&& other) noexcept
    : m_path(std::move(other.m_path)),
      m_fd(std::exchange(other.m_fd, -1)),
      m_offset(other.m_offset),
      m_size(other.m_size),
      m_map(std::exchange(other.m_map, nullptr)),
      m_map_size(std::exchange(other.m_map_size, 0)),
      m_elf(std::exchange(other.m_elf, nullptr)),
      m_image(std::move(other.m_image)) {}

ElfFile& ElfFile::operator=(ElfFile&& other) noexcept {
  if (this != &other) {
    reset();
    m_path = std::move(other.m_path);
    m_fd = std::exchange(other.m_fd, -1);
    m_offset = other.m_offset;
    m_size = other.m_size;
    m_map = std::exchange(other.m_map, nullptr);
    m_map_size = std::exchange(other.m_map_size, 0);
    m_elf = std::exchange(other.m_elf, nullptr);
    m_image = std::move(other.m_image);
  }
  return *this;
}

ElfFile::~ElfFile() { reset(); }

void ElfFile::reset() noexcept {
  if (m_elf != nullptr) {
    elf_end(m_elf);
    m_elf = nullptr;
  }
  if (m_map != nullptr) {
    ::munmap(m_map, m_map_size);
    m_map = nullptr;
    m_map_size = 0;
  }
  if (m_fd >= 0) {
    ::close(m_fd);
    m_fd = -1;
  }
}

void ElfFile::will_scan(std::span<const std::byte> bytes) const noexcept {
  std::size_t size = 0;
  const char* base = m_fd >= 0 ? elf_rawfile(m_elf, &size) : nullptr;
  const auto* begin = reinterpret_cast<const char*>(bytes.data());  // NOLINT
  if (base == nullptr || bytes.empty() || begin < base || begin + bytes.size() > base + size) {
    return;
  }
  // Page-aligned by address: a member of an archive starts anywhere in its first page.
  const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  const auto at = reinterpret_cast<std::uintptr_t>(begin);  // NOLINT
  // The mapping is read-only (or private) and shared with no one; madvise takes a non-const
  // pointer.
  ::madvise(reinterpret_cast<char*>(at - at % page), at % page + bytes.size(),  // NOLINT
            MADV_WILLNEED);
}

bool ElfFile::read_at(std::uint64_t offset, std::span<std::byte> out) const noexcept {
  if (m_fd < 0) {
    if (offset > m_image.size() || out.size() > m_image.size() - offset) {
      return false;
    }
    std::memcpy(out.data(), m_image.data() + offset, out.size());
    return true;
  }
  if (m_map != nullptr && (offset > m_size || out.size() > m_size - offset)) {
    return false;  // past the member's end, inside the archive
  }
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::pread(m_fd, out.data() + done, out.size() - done,
                              static_cast<off_t>(m_offset + offset + done));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return false;  // an error, or the end of the file
    }
    done += static_cast<std::size_t>(n);
  }
  return true;
}

std::optional<Section> ElfFile::section(std::string_view name) const {
  std::size_t shstrndx = 0;
  if (elf_getshdrstrndx(m_elf, &shstrndx) != 0) {
    return std::nullopt;
  }
  Elf_Scn* scn = nullptr;
  while ((scn = elf_nextscn(m_elf, scn)) != nullptr) {
    GElf_Shdr shdr;
    if (gelf_getshdr(scn, &shdr) == nullptr) {
      continue;
    }
    const char* n = elf_strptr(m_elf, shstrndx, shdr.sh_name);
    if (n == nullptr || name != n || shdr.sh_type == SHT_NOBITS) {
      continue;
    }
    return Section{std::string(n), shdr.sh_offset, shdr.sh_addr, raw_bytes(scn, shdr)};
  }
  return std::nullopt;
}

Result<DynamicInfo> ElfFile::dynamic() const {
  Elf_Scn* scn = nullptr;
  while ((scn = elf_nextscn(m_elf, scn)) != nullptr) {
    GElf_Shdr shdr;
    if (gelf_getshdr(scn, &shdr) == nullptr || shdr.sh_type != SHT_DYNAMIC ||
        shdr.sh_entsize == 0) {
      continue;
    }
    Elf_Data* data = elf_getdata(scn, nullptr);
    DynamicInfo out;
    out.elf_class = static_cast<unsigned>(gelf_getclass(m_elf));
    if (GElf_Ehdr ehdr; gelf_getehdr(m_elf, &ehdr) != nullptr) {
      out.machine = ehdr.e_machine;
    }
    const auto count = shdr.sh_size / shdr.sh_entsize;
    for (std::size_t i = 0; data != nullptr && i < count; ++i) {
      GElf_Dyn dyn;
      if (gelf_getdyn(data, static_cast<int>(i), &dyn) == nullptr || dyn.d_tag == DT_NULL) {
        break;
      }
      if (dyn.d_tag == DT_FLAGS_1) {
        out.flags_1 = dyn.d_un.d_val;
        continue;
      }
      if (dyn.d_tag != DT_SONAME && dyn.d_tag != DT_NEEDED && dyn.d_tag != DT_RPATH &&
          dyn.d_tag != DT_RUNPATH) {
        continue;
      }
      const char* s = elf_strptr(m_elf, shdr.sh_link, dyn.d_un.d_val);
      const std::string value = s == nullptr ? std::string() : std::string(s);
      switch (dyn.d_tag) {
        case DT_SONAME:
          out.soname = value;
          break;
        case DT_NEEDED:
          out.needed.push_back(value);
          break;
        case DT_RPATH:
          out.rpath = value;
          break;
        default:
          out.runpath = value;
          break;
      }
    }
    return out;
  }
  return unexpected(named(ErrorCode::not_found, "no dynamic section", m_path));
}

std::vector<Symbol> ElfFile::symbols(const std::function<bool(std::string_view)>& keep) const {
  std::vector<Symbol> out;
  Elf_Scn* scn = nullptr;
  while ((scn = elf_nextscn(m_elf, scn)) != nullptr) {
    GElf_Shdr shdr;
    if (gelf_getshdr(scn, &shdr) == nullptr || shdr.sh_type != SHT_SYMTAB ||
        shdr.sh_entsize == 0) {
      continue;
    }
    Elf_Data* data = elf_getdata(scn, nullptr);
    const auto count = shdr.sh_size / shdr.sh_entsize;
    for (std::size_t i = 0; data != nullptr && i < count; ++i) {
      GElf_Sym sym;
      if (gelf_getsym(data, static_cast<int>(i), &sym) == nullptr) {
        break;
      }
      const char* n = elf_strptr(m_elf, shdr.sh_link, sym.st_name);
      if (n != nullptr && *n != '\0' && keep(n)) {
        out.push_back({n, sym.st_value, sym.st_size, GELF_ST_TYPE(sym.st_info) == STT_FUNC});
      }
    }
  }
  return out;
}

std::span<const std::byte> ElfFile::bytes_at(std::uint64_t address, std::size_t count) const {
  Elf_Scn* scn = nullptr;
  while ((scn = elf_nextscn(m_elf, scn)) != nullptr) {
    GElf_Shdr shdr;
    if (gelf_getshdr(scn, &shdr) == nullptr || (shdr.sh_flags & SHF_ALLOC) == 0 ||
        address < shdr.sh_addr || address - shdr.sh_addr >= shdr.sh_size) {
      continue;
    }
    const auto bytes = raw_bytes(scn, shdr);
    const auto at = address - shdr.sh_addr;
    if (at >= bytes.size()) {
      return {};
    }
    return bytes.subspan(at, std::min<std::size_t>(count, bytes.size() - at));
  }
  return {};
}

}  // namespace mlstack::elf
