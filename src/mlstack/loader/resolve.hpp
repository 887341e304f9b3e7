// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"
#include "mlstack/elf/elf_file.hpp"
#include "mlstack/io/file_system.hpp"
#include "mlstack/loader/ld_cache.hpp"
#include "mlstack/loader/search_path.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

/// glibc's ld.so search for DT_NEEDED libraries, emulated over an `ObjectReader` (the only
/// access to files), so it is pure given the reader. Sources: glibc 2.36 elf/dl-load.c
/// `_dl_map_object` (the order), `open_path`/`open_verify` (what is skipped), elf/dl-deps.c
/// `_dl_map_object_deps` (breadth-first), `man 8 ld.so`; docs/loader.md.
namespace mlstack::loader {

/// What the emulation needs of one file.
struct ObjectInfo {
  elf::DynamicInfo dynamic;
  elf::SymbolVersions versions;
  std::uint64_t device = 0;  // the file's identity: one file under two names is one object
  std::uint64_t inode = 0;
};

/// Reads the objects the search tries. `read` fails with `ErrorCode::not_found` when nothing is
/// at `path` (the search goes on), and with another code when the file is there but is no
/// usable ELF object (ld.so stops: "invalid ELF header").
class ObjectReader {
 public:
  ObjectReader() = default;
  ObjectReader(const ObjectReader&) = delete;
  ObjectReader& operator=(const ObjectReader&) = delete;
  ObjectReader(ObjectReader&&) = delete;
  ObjectReader& operator=(ObjectReader&&) = delete;
  virtual ~ObjectReader() = default;
  [[nodiscard]] virtual Result<ObjectInfo> read(const std::string& path) const = 0;
};

/// The files of `fs` (the real ones by default; an unpacked root, an image archive), through
/// libelf (`elf::ElfFile`) and stat.
class ElfObjectReader final : public ObjectReader {
 public:
  explicit ElfObjectReader(const io::FileSystem& fs = io::real_file_system()) : m_fs(fs) {}
  [[nodiscard]] Result<ObjectInfo> read(const std::string& path) const override;

 private:
  const io::FileSystem& m_fs;
};

/// An object already in the process before the search (the dynamic loader itself, libraries an
/// earlier import mapped): a DT_NEEDED naming its soname or path takes it, or the same file
/// under another name. It is read too, for its identity and symbol versions, when it can be.
struct Preloaded {
  std::string path;
  std::string soname;
};

/// Search results remembered across `Process`es with the same settings: the search for a name
/// from a loader depends only on the folders it tries (the loaders' DT_RPATH chain, the
/// executable's, LD_LIBRARY_PATH, DT_RUNPATH, cache, default folders) and the files there, not
/// on what is mapped, so the import orders of one prediction search each name once.
/// Thread-safe; opaque.
class SearchMemo;
[[nodiscard]] std::shared_ptr<SearchMemo> make_search_memo();

/// The process's loader settings.
struct LoaderConfig {
  std::string ld_library_path;  // LD_LIBRARY_PATH as set (empty: unset or empty)
  std::string lib = "lib/x86_64-linux-gnu";  // `$LIB` (Debian x86-64)
  std::string platform = "x86_64";           // `$PLATFORM`
  const LdCache* cache = nullptr;            // none: no /etc/ld.so.cache
  std::int32_t cache_flags = k_cache_flags_x86_64;
  /// The system search path (`ld.so --help` "system search path"; Debian 12 x86-64).
  std::vector<std::string> default_dirs = {"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
                                           "/lib", "/usr/lib"};
  /// Subfolders ld.so tries inside each folder before the folder itself (glibc-hwcaps/x86-64-v3,
  /// tls, x86_64, ...: `LD_DEBUG=libs` lists them); none by default.
  std::vector<std::string> subdirs;
  std::vector<Preloaded> preloaded;  // e.g. {"/lib64/ld-linux-x86-64.so.2", "ld-linux-x86-64.so.2"}
  /// Shared by the processes of these settings and files (none: each search runs).
  std::shared_ptr<SearchMemo> memo;
};

/// Which rule of the search found an object.
enum class Rule : std::uint8_t {
  entry,            // the object the search started from
  preloaded,        // already in the process (`LoaderConfig::preloaded`)
  path,             // the DT_NEEDED name contains a `/`: opened as written
  rpath,            // DT_RPATH of the loading object or one of its loaders
  ld_library_path,  // LD_LIBRARY_PATH
  runpath,          // DT_RUNPATH of the loading object
  cache,            // /etc/ld.so.cache
  default_dirs,     // the system search path
};

/// `rpath`, `ld_library_path`, ... (the JSON spelling).
[[nodiscard]] std::string_view rule_name(Rule rule) noexcept;

/// One object mapped, in load order. A DT_NEEDED that names an object already mapped (by a
/// name it was asked for, its path or its DT_SONAME, or the same file) adds no object: the
/// asking object's `dependencies` point at the one there.
struct LoadedObject {
  std::string path;                 // as found: a search folder + the name
  std::string soname;               // DT_SONAME, empty when none
  std::string requested;            // the name first asked for (DT_NEEDED, or the entry's path)
  int loader = -1;                  // index of the object that asked first; -1 for the entry
  Rule rule = Rule::entry;
  std::string rule_owner;           // rpath/runpath: the path of the object whose list matched
  std::vector<std::string> needed;  // its DT_NEEDED
  std::vector<int> dependencies;    // per `needed`: the object index, or -1 when not found
  elf::SymbolVersions versions;     // what it needs and defines (`check_versions`)
  bool preloaded = false;
};

/// A DT_NEEDED that could not be mapped.
struct Missing {
  std::string name;
  std::string needed_by;              // the path of the object that needs it
  std::string reason;                 // "not found", or why a file found was refused
  std::vector<std::string> searched;  // every path tried, in order
};

struct Resolution {
  std::vector<LoadedObject> objects;  // the entry first (after the preloaded ones)
  std::vector<Missing> missing;
};

/// Maps `entry` (a path) and, breadth-first as `_dl_map_object_deps` does, every DT_NEEDED,
/// each name looked up in this order (elf/dl-load.c `_dl_map_object`):
/// 1. an object already mapped whose name (path, names asked for, or DT_SONAME) is the name;
/// 2. a name with a `/` is opened as written (tokens expanded), without search;
/// 3. when the loading object has no DT_RUNPATH: the DT_RPATH of the loading object, then of
///    the object that loaded it, and on up to the entry (which stands for the executable); an
///    object with both has no DT_RPATH for ld.so;
/// 4. LD_LIBRARY_PATH; 5. the loading object's own DT_RUNPATH (not inherited);
/// 6. the ld.so cache, unless the loader has DF_1_NODEFLIB and the cached file is in a default
///    folder; 7. the default folders, unless the loader has DF_1_NODEFLIB.
/// A file of another ELF class or machine than the entry is passed over (as ld.so does); one
/// that is not ELF stops that name's search (`Missing::reason`). A file already mapped under
/// another name (same device and inode) is that object. `$ORIGIN` is the folder of the path an
/// object was found under (symlinks not resolved, as glibc's `_dl_new_object`).
[[nodiscard]] Result<Resolution> resolve(const std::string& entry, const LoaderConfig& config,
                                         const ObjectReader& reader);

/// A process's link map built up as ld.so builds it: the executable and its needs (`exec`),
/// then libraries dlopen'ed in order (an import loading its extension modules), each seeing
/// what is already mapped ("a soname already loaded wins", per import order).
class Process {
 public:
  Process(LoaderConfig config, const ObjectReader& reader);
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  Process(Process&&) noexcept;
  Process& operator=(Process&&) noexcept;
  ~Process();

  /// Maps the executable at `path` and its DT_NEEDED (as `resolve`); its index. An error when
  /// it cannot be read or an executable is already mapped.
  [[nodiscard]] Result<int> exec(const std::string& path);

  struct Opened {
    int index = -1;                // the object dlopen returns; -1 when it fails
    std::vector<Missing> missing;  // why it fails
  };
  /// `dlopen(name)` called from the object `caller` (an index; the executable for Python's
  /// own calls): `_dl_map_object` with `caller` as the loader — the name already mapped, a
  /// `/` name as written, else caller's DT_RPATH chain, then the executable's DT_RPATH (when
  /// the chain did not reach it), LD_LIBRARY_PATH, caller's DT_RUNPATH, the cache, the default
  /// folders — and the new objects' needs. A path names a file, not a soname: a second file
  /// with a soname already mapped is mapped too (two copies of one library). When anything is
  /// missing dlopen fails and what it mapped is unmapped again.
  [[nodiscard]] Opened dlopen(const std::string& name, int caller);

  [[nodiscard]] const Resolution& resolution() const;

  /// A copy of the process as it is now, to go on from in another way (import orders that
  /// begin alike).
  [[nodiscard]] Process clone() const;

 private:
  class State;
  explicit Process(std::unique_ptr<State> state);
  std::unique_ptr<State> m_state;
};

/// A symbol version an object needs that the object mapped for that soname does not define.
struct MissingVersion {
  std::string object;    // the path of the object that needs it
  std::string file;      // the soname it is needed from (`libstdc++.so.6`)
  std::string provider;  // the path of the object mapped for `file`
  std::string version;   // `GLIBCXX_3.4.32`
  bool weak = false;     // VER_FLG_WEAK: ld.so only warns
};

/// The version needs of every mapped object checked as ld.so checks them before running
/// anything (elf/dl-version.c `_dl_check_map_versions`): each `.gnu.version_r` entry against the
/// `.gnu.version_d` of the object its DT_NEEDED name maps to. A provider without version
/// definitions passes (ld.so: "linked against another version of this file"), as does a soname
/// not mapped (reported in `Resolution::missing` already). ld.so stops on the first non-weak
/// one: "version `V' not found (required by OBJECT)". Pure.
[[nodiscard]] std::vector<MissingVersion> check_versions(const Resolution& resolution);

}  // namespace mlstack::loader
