// SPDX-License-Identifier: MIT
#include "mlstack/pyenv/scan.hpp"

#include "mlstack/base/parallel.hpp"
#include "mlstack/base/text.hpp"
#include "mlstack/metadata/core_metadata.hpp"
#include "mlstack/metadata/egg_info.hpp"
#include "mlstack/metadata/python_text.hpp"
#include "mlstack/metadata/wheel_file.hpp"
#include "mlstack/names/package_name.hpp"
#include "mlstack/names/python_case.hpp"
#include "mlstack/io/zip_archive.hpp"
#include "mlstack/pyenv/record_files.hpp"
#include "mlstack/pyenv/zip_entry.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace mlstack::pyenv {
namespace {

using io::IoStatus;

// importlib's PathDistribution.read_text swallows exactly these OSError subclasses.
bool read_text_swallows(const IoStatus& s) noexcept {
  switch (s.kind) {
    case IoStatus::Kind::not_found:
    case IoStatus::Kind::is_directory:
    case IoStatus::Kind::not_directory:
    case IoStatus::Kind::permission_denied:
      return true;
    default:
      return false;
  }
}

// What Python would say (str(exc)) when reading `path` fails with `s`.
std::string python_error_text(const IoStatus& s, const std::string& path, std::size_t max_bytes) {
  switch (s.kind) {
    case IoStatus::Kind::not_regular:
      return fmt::format("{} is a FIFO, socket or device; reading it would block",
                         text::python_repr(path));
    case IoStatus::Kind::too_large:
      return fmt::format("{} is larger than {} bytes", text::python_repr(path), max_bytes);
    default:
      return fmt::format("[Errno {}] {}: {}", s.errno_value, std::strerror(s.errno_value),
                         text::python_repr(path));
  }
}

// `Distribution.read_text(name)`: no text when importlib returns None; an error text when
// it raises (OSError or UnicodeDecodeError; `crashes` when pip does not catch it, as
// zipfile.BadZipFile); else the decoded bytes, a view into the read buffer or the archive.
struct TextRead {
  std::optional<std::string_view> text;
  std::optional<std::string> error;
  bool crashes = false;
};

// A read's bytes (not decoded yet) as a TextRead: checks the UTF-8.
TextRead decoded(TextRead r) {
  if (r.text) {
    if (const auto bad = metadata::find_utf8_error(*r.text)) {
      r.error = metadata::describe(*bad, *r.text);
      r.text.reset();
    }
  }
  return r;
}

// os.path.splitext on a base name.
std::pair<std::string_view, std::string_view> splitext(std::string_view name) {
  const std::size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) {
    return {name, {}};
  }
  for (std::size_t i = 0; i < dot; ++i) {
    if (name[i] != '.') {
      return {name.substr(0, dot), name.substr(dot)};
    }
  }
  return {name, {}};
}

// pip's parse_name_and_version_from_info_directory on the candidate's base name.
struct DirNameParts {
  std::optional<std::string_view> name;
  std::optional<std::string_view> version;
};

DirNameParts parse_info_directory(std::string_view base) {
  const auto [stem, suffix] = splitext(base);
  DirNameParts out;
  if (suffix == ".dist-info") {
    const std::size_t dash = stem.find('-');
    if (dash != std::string_view::npos) {
      out.name = stem.substr(0, dash);
      out.version = stem.substr(dash + 1);
      return out;
    }
  }
  if (suffix == ".egg-info") {
    out.name = stem.substr(0, stem.find('-'));
  }
  return out;
}

// importlib's Prepared.normalize: runs of -_. become `_`, then Python's `str.lower()`.
std::string importlib_normalize(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  bool in_run = false;
  bool ascii = true;
  for (const char c : name) {
    if (c == '-' || c == '_' || c == '.') {
      if (!in_run) {
        out.push_back('_');
      }
      in_run = true;
      continue;
    }
    in_run = false;
    ascii = ascii && static_cast<unsigned char>(c) < 0x80;
    out.push_back(text::ascii_lower(c));
  }
  return ascii ? out : names::python_lower(out);
}

// pip's project-name regex with re.match and re.IGNORECASE (Unicode) semantics.
bool pip_valid_name(std::string_view canonical) {
  return names::matches_pip_name_pattern(canonical);
}

std::string base_name(std::string_view path) {
  const std::size_t slash = path.find_last_of('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::string join(const std::string& root_str, std::string_view child) {
  if (root_str == ".") {
    return std::string(child);
  }
  std::string out;
  out.reserve(root_str.size() + 1 + child.size());
  out.append(root_str);
  if (out.back() != '/') {
    out.push_back('/');
  }
  out.append(child);
  return out;
}

class Scanner {
  static constexpr std::size_t k_no_zip = static_cast<std::size_t>(-1);

  // One distribution candidate, in discovery order.
  struct Candidate {
    std::string root;
    std::string child;
    std::size_t installed;       // index into m_locations
    std::size_t zip = k_no_zip;  // index into m_zips when the candidate is inside a zip
  };

 public:
  Scanner(const io::FileSystem& fs, const ScanOptions& options) : m_fs(fs), m_options(options) {}

  void scan_entry(const std::string& entry) {
    const std::string root = pathlib_str(entry);
    std::vector<io::DirEntry> children;
    const IoStatus listed =
        m_fs.list_dir(entry.empty() ? std::string(".") : entry, io::Follow::no, children);
    if (!listed.ok()) {
      // FastPath.children: not a folder, so a zip archive (zipfile.Path(root)), or nothing.
      if (listed.kind == IoStatus::Kind::not_directory) {
        scan_zip(entry, add_location(installed_location(entry)));
      }
      return;
    }
    const std::size_t installed = add_location(installed_location(root));
    find(root, children, installed);
    // find_legacy_editables: pathlib's iterdir lists the same children again.
    for (const io::DirEntry& child : children) {
      const auto [stem, suffix] = splitext(child.name);
      if (suffix != ".egg-link" || stem.empty()) {
        continue;
      }
      const std::string link_path = join(root, child.name);
      std::string bytes;
      if (!m_fs.read_file(link_path, m_options.max_file_size, bytes).ok()) {
        continue;  // pip raises here; a broken link file must not stop the scan
      }
      std::string translated_storage;
      const std::string_view translated = metadata::translate_newlines(bytes, translated_storage);
      std::string target;
      for (const std::string_view line : text::split(translated, '\n')) {
        const std::string_view stripped = metadata::python_strip(line);
        if (!stripped.empty()) {
          target = std::string(stripped);
          break;
        }
      }
      if (target.empty()) {
        continue;
      }
      const std::string target_location = target.front() == '/' ? target : join(root, target);
      std::vector<io::DirEntry> target_children;
      const IoStatus target_listed = m_fs.list_dir(target_location, io::Follow::no, target_children);
      if (!target_listed.ok()) {
        if (target_listed.kind == IoStatus::Kind::not_directory) {
          scan_zip(pathlib_str(target_location), installed);
        }
        continue;
      }
      find(pathlib_str(target_location), target_children, installed);
    }
  }

  /// Reads every candidate found so far (on worker threads when there are many), then
  /// applies pip's first-name-wins rule in discovery order.
  facts::Inventory take() {
    std::vector<Loaded> loaded(m_candidates.size());
    read_all(loaded);
    // Most candidates are admitted: one allocation instead of doubling (at 50,000
    // distributions the doubling left ~18 MB of moved-from capacity behind).
    m_inventory.dists.reserve(m_inventory.dists.size() + loaded.size());
    for (std::size_t i = 0; i < loaded.size(); ++i) {
      admit(m_candidates[i], std::move(loaded[i]));
    }
    std::vector<Loaded>().swap(loaded);
    if (m_options.depth == ScanDepth::full) {
      m_inventory.file_clashes =
          detail::find_file_clashes(m_inventory.dists, m_roots, m_fs, m_options.max_file_size,
                                    std::min(default_thread_count(), m_options.max_threads),
                                    m_options.file_cache, &m_record_ids);
    }
    return std::move(m_inventory);
  }

 private:
  // normalize_path(installed_location) and pip's is_local().
  std::string installed_location(const std::string& root) {
    if (m_options.venv_prefix_realpath.empty()) {
      return {};
    }
    std::string real;
    if (!m_fs.realpath(root, real).ok()) {
      real = root;
    }
    return real;
  }

  [[nodiscard]] bool is_local(const std::string& installed) const {
    return m_options.venv_prefix_realpath.empty() ||
           installed.starts_with(m_options.venv_prefix_realpath);
  }

  // _DistributionFinder._find_impl over one directory listing, or the children of the zip
  // archive m_zips[zip] (Lookup order).
  void find(const std::string& root, const std::vector<io::DirEntry>& children,
            std::size_t installed, std::size_t zip = k_no_zip) {
    std::vector<std::vector<const io::DirEntry*>> groups;
    std::unordered_map<std::string, std::size_t> group_of;
    std::vector<const io::DirEntry*> eggs;
    const std::string base = text::to_lower(base_name(root));
    const bool base_is_egg = base.ends_with(".egg");
    for (const io::DirEntry& child : children) {
      const std::string low = names::python_lower(child.name);  // importlib's child.lower()
      if (low.ends_with(".dist-info") || low.ends_with(".egg-info")) {
        std::string_view stem = std::string_view(low).substr(0, low.rfind('.'));
        stem = stem.substr(0, stem.find('-'));
        const auto [it, inserted] = group_of.try_emplace(importlib_normalize(stem), groups.size());
        if (inserted) {
          groups.emplace_back();
        }
        groups[it->second].push_back(&child);
      } else if (base_is_egg && low == "egg-info") {
        eggs.push_back(&child);
      }
    }
    for (const auto& group : groups) {
      for (const io::DirEntry* child : group) {
        m_candidates.push_back(Candidate{root, child->name, installed, zip});
      }
    }
    for (const io::DirEntry* child : eggs) {
      m_candidates.push_back(Candidate{root, child->name, installed, zip});
    }
  }

  // A path entry that is a file: importlib opens it with zipfile (FastPath.zip_children),
  // unless pip skips it as a wheel (`_looks_like_wheel`). `root` is the path as zipfile is
  // given it. Python passes over what is not a readable zip in silence; mlstack records it.
  void scan_zip(const std::string& root, std::size_t installed) {
    io::FileStat st;
    if (!m_fs.stat(root, io::Follow::yes, st).ok()) {
      return;  // a path through a file (`x.zip/sub`), or gone: zipfile cannot open it either
    }
    if (st.kind != io::FileKind::regular) {
      m_inventory.problems.push_back(fmt::format(
          "`{}` on the path is a FIFO, socket or device; not read (Python would wait on it)",
          root));
      return;
    }
    if (detail::is_wheel_file_name(base_name(root))) {
      return;
    }
    io::ZipLimits limits;
    limits.max_member_size = m_options.max_file_size;
    auto zip = m_fs.read_zip(root, limits, detail::is_metadata_member);
    if (!zip) {
      m_inventory.problems.push_back(to_string(zip.error()));
      return;
    }
    std::vector<io::DirEntry> children;
    for (std::string& child : detail::zip_children(zip->names())) {
      const io::FileKind kind =
          zip->is_directory(child) ? io::FileKind::directory : io::FileKind::regular;
      children.push_back(io::DirEntry{std::move(child), kind});
    }
    m_zips.push_back(std::make_unique<io::ZipArchive>(std::move(*zip)));
    find(root, children, installed, m_zips.size() - 1);
  }

  // Reads `file` of a candidate's metadata folder (`file` empty: the candidate itself) as
  // importlib's `read_text`: from the file system, or as zipfile.Path reads a zip member (a
  // missing member and a folder give None; so does the candidate itself, which zipfile.Path
  // always takes for a folder).
  TextRead read_info_text(const Candidate& c, const std::string& info, std::string_view file,
                          std::string& buffer) const {
    TextRead r;
    const std::size_t max = m_options.max_file_size;
    if (c.zip == k_no_zip) {
      const std::string path = file.empty() ? info : info + "/" + std::string(file);
      const IoStatus s = m_fs.read_file(path, max, buffer);
      if (s.ok()) {
        r.text = std::string_view(buffer);
      } else if (!read_text_swallows(s)) {
        r.error = python_error_text(s, path, max);
      }
      return r;
    }
    if (file.empty()) {
      return r;
    }
    const std::string member = c.child + "/" + std::string(file);
    const io::ZipMemberData* data = m_zips[c.zip]->find(member);
    if (data == nullptr) {
      return r;
    }
    if (data->error) {
      r.error = fmt::format("{}: {}", text::python_repr(member), *data->error);
      r.crashes = true;  // zipfile.BadZipFile, zlib.error, RuntimeError (encrypted), ...
    } else if (!data->status.ok()) {
      r.error = python_error_text(data->status, info + "/" + std::string(file), max);
    } else {
      r.text = std::string_view(data->data);
    }
    return r;
  }

  // Reads the metadata as `Distribution.metadata` (+ pip's `_add_egg_info_requires`).
  void read_metadata(const Candidate& c, facts::InstalledDist& dist, metadata::CoreMetadata& meta,
                     bool& have_meta, std::string& buffer) const {
    have_meta = false;
    const std::string& info = dist.info_path;
    TextRead r = decoded(read_info_text(c, info, "METADATA", buffer));
    if (!r.error && (!r.text || r.text->empty())) {
      r = decoded(read_info_text(c, info, "PKG-INFO", buffer));
      if (!r.error && (!r.text || r.text->empty())) {
        r = decoded(read_info_text(c, info, "", buffer));
      }
    }
    if (r.error) {
      dist.read_error = *r.error;
      dist.read_error_crashes_pip = r.crashes;
      dist.problems.push_back("cannot read the metadata: " + *r.error);
      return;
    }
    if (r.text) {
      // decoded() has checked the UTF-8 already.
      metadata::ParsedMetadata parsed = metadata::parse_core_metadata_text(*r.text);
      meta = std::move(parsed.metadata);
      for (std::string& p : parsed.problems) {
        dist.problems.push_back(std::move(p));
      }
    } else {
      dist.problems.emplace_back("no METADATA or PKG-INFO file");
    }
    if (metadata::needs_egg_info_requires(meta)) {
      const TextRead req = decoded(read_info_text(c, info, "requires.txt", buffer));
      if (req.error) {
        dist.read_error = *req.error;
        dist.read_error_crashes_pip = req.crashes;
        dist.problems.push_back("cannot read requires.txt: " + *req.error);
        return;
      }
      if (req.text) {
        metadata::add_egg_info_requires(meta, *req.text);
      }
    }
    have_meta = true;
  }


  // What reading a candidate gave: a distribution, or pip's "Skipping ..." message.
  struct Loaded {
    facts::InstalledDist dist;
    std::optional<std::string> skipped;
    std::vector<std::string> record_roots;  // ScanDepth::full: see detail::RecordSummary
    std::optional<io::FileStat> record_id;  // RECORD's identity, when a file cache stat'ed it
  };

  std::size_t add_location(std::string installed) {
    if (m_locations.empty() || m_locations.back() != installed) {
      m_locations.push_back(std::move(installed));
    }
    return m_locations.size() - 1;
  }

  // Reads one candidate's files. Touches nothing shared but the (const) file system, so
  // candidates can be read on several threads; `buffer` is the thread's read buffer.
  Loaded load(const Candidate& c, std::string& buffer) const {
    Loaded out;
    facts::InstalledDist& dist = out.dist;
    dist.location = c.root;
    dist.info_path = c.zip == k_no_zip ? join(c.root, c.child) : c.root + "/" + c.child;
    const DirNameParts parts = parse_info_directory(c.child);
    metadata::CoreMetadata meta;
    bool have_meta = false;
    const bool named = parts.name && !parts.name->empty() && parts.version &&
                       !parts.version->empty();
    if (m_options.depth == ScanDepth::names && named) {
      dist.canonical_name = names::canonicalize(*parts.name);
      dist.raw_name = std::string(*parts.name);
      dist.version_text = std::string(*parts.version);
      dist.local = is_local(m_locations[c.installed]);
      return out;
    }
    read_metadata(c, dist, meta, have_meta, buffer);

    // get_dist_canonical_name: the directory's name when non-empty, else `Name`.
    if (parts.name && !parts.name->empty()) {
      dist.canonical_name = names::canonicalize(*parts.name);
    } else if (dist.read_error) {
      // pip raises out of the finder here (a traceback); mlstack skips the candidate.
      out.skipped = fmt::format("Skipping {} due to {}", pip_info_location(c), *dist.read_error);
      return out;
    } else if (meta.name) {
      dist.canonical_name = names::canonicalize(*meta.name);
    } else {
      out.skipped = fmt::format("Skipping {} due to invalid metadata entry 'name'",
                                pip_info_location(c));
      return out;
    }
    dist.raw_name = meta.name.value_or(dist.canonical_name);
    if (parts.version && !parts.version->empty()) {
      dist.version_text = std::string(*parts.version);
    } else if (meta.version) {
      dist.version_text = *meta.version;
    }
    dist.requires_dist = std::move(meta.requires_dist);
    dist.provides_extra = std::move(meta.provides_extra);
    dist.requires_python = std::move(meta.requires_python);
    dist.local = is_local(m_locations[c.installed]);
    read_extras(c, out, buffer);
    return out;
  }

  // str(info_location) as pip prints it: a folder inside a zip archive ends with `/`
  // (zipfile.Path).
  [[nodiscard]] std::string pip_info_location(const Candidate& c) const {
    std::string out = join(c.root, c.child);
    if (c.zip != k_no_zip && m_zips[c.zip]->is_directory(c.child)) {
      out.push_back('/');
    }
    return out;
  }

  // Below this many candidates a second thread costs more than it saves.
  static constexpr std::size_t k_parallel_threshold = 32;
  // A read buffer larger than this is freed after its file (the caller's thread keeps its
  // thread_local buffer for the whole run).
  static constexpr std::size_t k_kept_buffer = std::size_t{1} << 20;

  void read_all(std::vector<Loaded>& loaded) const {
    const std::size_t n = m_candidates.size();
    // Names from folder names only read no file: no thread pays for itself.
    const std::size_t threads = n >= k_parallel_threshold && m_options.depth != ScanDepth::names
                                    ? std::min(default_thread_count(), m_options.max_threads)
                                    : 1;
    parallel_for(n, threads, [&](std::size_t i) {
      thread_local std::string buffer;  // one read buffer per thread: no allocation per read
      loaded[i] = load(m_candidates[i], buffer);
      if (buffer.capacity() > k_kept_buffer) {
        std::string().swap(buffer);  // a huge METADATA's buffer is not kept for the run
      }
    });
  }

  // pip's first-name-wins and name validity, in discovery order.
  void admit(const Candidate& c, Loaded loaded) {
    if (loaded.skipped) {
      m_inventory.skipped.push_back(std::move(*loaded.skipped));
      return;
    }
    facts::InstalledDist& dist = loaded.dist;
    if (!m_found.insert(dist.canonical_name).second) {
      m_inventory.shadowed.push_back(std::move(dist));
      return;
    }
    if (!pip_valid_name(dist.canonical_name)) {
      if (c.child.starts_with('~')) {
        m_inventory.skipped.push_back(fmt::format(
            "Ignoring incompletely removed distribution {} ({}); '~'-prefixed leftover "
            "directories are the result of a previous incomplete installation, and can be "
            "deleted",
            c.child, dist.location));
      } else {
        m_inventory.skipped.push_back(fmt::format("Ignoring invalid distribution {} ({})",
                                                  dist.canonical_name, dist.location));
      }
      return;
    }
    m_inventory.dists.push_back(std::move(dist));
    m_roots.push_back(std::move(loaded.record_roots));
    m_record_ids.push_back(loaded.record_id);
  }

  // WHEEL always (pip check's check_unsupported); INSTALLER and RECORD for ScanDepth::full.
  void read_extras(const Candidate& c, Loaded& loaded, std::string& buffer) const {
    facts::InstalledDist& dist = loaded.dist;
    const TextRead wheel = read_info_text(c, dist.info_path, "WHEEL", buffer);
    if (wheel.text) {
      metadata::WheelFile parsed = metadata::parse_wheel_file(*wheel.text);
      if (parsed.decode_error) {
        dist.wheel_error = "cannot read WHEEL: " + *parsed.decode_error;
        dist.problems.push_back(*dist.wheel_error);
      } else {
        dist.wheel_tags = std::move(parsed.tags);
      }
    } else if (wheel.error) {
      dist.wheel_error = "cannot read WHEEL: " + *wheel.error;
      dist.problems.push_back(*dist.wheel_error);
    }
    if (m_options.depth != ScanDepth::full) {
      return;
    }
    if (m_options.read_installer) {
      if (const TextRead installer = read_info_text(c, dist.info_path, "INSTALLER", buffer);
          installer.text) {
        dist.installer = metadata::parse_installer(*installer.text);
      }
    }
    // Only RECORD's roots and shared objects are kept (see record_files.hpp). The files of a
    // distribution inside a zip archive are not on disk: neither loadable nor clashing.
    if (c.zip != k_no_zip) {
      return;
    }
    std::string problem;
    if (std::optional<detail::RecordFacts> record =
            detail::record_facts(dist, m_fs, m_options.max_file_size, m_options.file_cache,
                                 &loaded.record_id, &problem)) {
      loaded.record_roots = std::move(record->roots);
      dist.record_libraries = std::move(record->libraries);
    } else if (!problem.empty()) {
      dist.problems.push_back(std::move(problem));
    }
  }

  const io::FileSystem& m_fs;
  const ScanOptions& m_options;
  facts::Inventory m_inventory;
  std::unordered_set<std::string> m_found;
  std::vector<Candidate> m_candidates;
  std::vector<std::string> m_locations;  // normalize_path(installed_location) per entry
  std::vector<std::vector<std::string>> m_roots;  // record_roots per m_inventory.dists entry
  std::vector<std::optional<io::FileStat>> m_record_ids;  // record_id per m_inventory.dists entry
  std::vector<std::unique_ptr<io::ZipArchive>> m_zips;  // the zip archives on the path
};

}  // namespace

std::string pathlib_str(std::string_view path) {
  if (path.empty()) {
    return ".";
  }
  std::string out;
  if (path.starts_with("//") && !path.starts_with("///")) {
    out = "//";
  } else if (path.front() == '/') {
    out = "/";
  }
  const std::size_t prefix = out.size();
  for (const std::string_view part : text::split(path, '/')) {
    if (part.empty() || part == ".") {
      continue;
    }
    if (out.size() > prefix) {
      out.push_back('/');
    }
    out.append(part);
  }
  if (out.empty()) {
    return ".";
  }
  return out;
}

facts::Inventory scan(const std::vector<std::string>& paths, const io::FileSystem& fs,
                      const ScanOptions& options) {
  Scanner scanner(fs, options);
  for (const std::string& entry : paths) {
    scanner.scan_entry(entry);
  }
  return scanner.take();
}

facts::Inventory scan(const facts::PythonFacts& facts, const io::FileSystem& fs,
                      ScanOptions options) {
  if (facts.in_virtualenv && options.venv_prefix_realpath.empty()) {
    if (!fs.realpath(facts.prefix, options.venv_prefix_realpath).ok()) {
      options.venv_prefix_realpath = facts.prefix;
    }
  }
  return scan(facts.sys_path, fs, options);
}

}  // namespace mlstack::pyenv
