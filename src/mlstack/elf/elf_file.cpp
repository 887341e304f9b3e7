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
  if (!libelf_ready()) {
    return unexpected(named(ErrorCode::unsupported, "libelf is out of date", path));
  }
  // O_NONBLOCK: never hang on a FIFO named like a library.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);  // NOLINT(*-vararg)
  if (fd < 0) {
    const int err = errno;
    // strerror's text, lowercased at the first letter to match the message style.
    std::string text = std::strerror(err);  // NOLINT(concurrency-mt-unsafe)
    if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z') {
      text[0] = static_cast<char>(text[0] - 'A' + 'a');
    }
    return unexpected(
        named(err == ENOENT ? ErrorCode::not_found : ErrorCode::io, std::move(text), path));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return unexpected(named(ErrorCode::invalid_data, "not a regular file", path));
  }
  ElfFile f;
  f.m_path = path;
  f.m_fd = fd;
  f.m_elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr);
  if (f.m_elf == nullptr || elf_kind(f.m_elf) != ELF_K_ELF) {
    return unexpected(named(ErrorCode::invalid_data, "not an ELF file", path));
  }
  // Random access: readahead around each fatbin entry header would read most of a 1 GB file
  // on a cold cache (measured on torch 1.12.1's libtorch_cuda.so: 634 MB read without this,
  // 24 MB with it). Advice only: a failure changes nothing but speed.
  std::size_t size = 0;
  if (char* base = elf_rawfile(f.m_elf, &size); base != nullptr && size > 0) {
    ::madvise(base, size, MADV_RANDOM);
  }
  // The same for pread (read_at: fatbin entry headers).
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);
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
      m_elf(std::exchange(other.m_elf, nullptr)),
      m_image(std::move(other.m_image)) {}

ElfFile& ElfFile::operator=(ElfFile&& other) noexcept {
  if (this != &other) {
    reset();
    m_path = std::move(other.m_path);
    m_fd = std::exchange(other.m_fd, -1);
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
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  const auto offset = static_cast<std::size_t>(begin - base);
  const std::size_t start = offset - offset % page;
  // The mapping is read-only and shared with no one; madvise takes a non-const pointer.
  ::madvise(const_cast<char*>(base) + start, offset - start + bytes.size(),  // NOLINT
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
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::pread(m_fd, out.data() + done, out.size() - done,
                              static_cast<off_t>(offset + done));
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
