// SPDX-License-Identifier: MIT
#include "tar_writer.hpp"

#include "mlstack/rootfs/sha256.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace mlstack::rootfs::testing {
namespace {

la_ssize_t append(struct archive* /*a*/, void* out, const void* data, std::size_t n) {
  static_cast<std::string*>(out)->append(static_cast<const char*>(data), n);
  return static_cast<la_ssize_t>(n);
}

void check(int rc, struct archive* a) {
  if (rc < ARCHIVE_WARN) {
    throw std::runtime_error(archive_error_string(a) != nullptr ? archive_error_string(a) : "?");
  }
}

}  // namespace

std::string make_tar(const std::vector<TarMember>& members, TarFormat format, TarFilter filter) {
  std::string out;
  struct archive* a = archive_write_new();
  switch (format) {
    case TarFormat::pax: check(archive_write_set_format_pax_restricted(a), a); break;
    case TarFormat::gnu: check(archive_write_set_format_gnutar(a), a); break;
    case TarFormat::ustar: check(archive_write_set_format_ustar(a), a); break;
  }
  switch (filter) {
    case TarFilter::none: break;
    case TarFilter::gzip: check(archive_write_add_filter_gzip(a), a); break;
    case TarFilter::zstd: check(archive_write_add_filter_zstd(a), a); break;
  }
  check(archive_write_set_bytes_in_last_block(a, 1), a);
  check(archive_write_open2(a, &out, nullptr, append, nullptr, nullptr), a);
  for (const TarMember& m : members) {
    struct archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, m.path.c_str());
    archive_entry_set_mtime(e, m.mtime, 0);
    switch (m.type) {
      case TarMember::Type::file:
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_size(e, m.claimed_size >= 0 ? m.claimed_size
                                                      : static_cast<la_int64_t>(m.data.size()));
        break;
      case TarMember::Type::dir:
        archive_entry_set_filetype(e, AE_IFDIR);
        archive_entry_set_perm(e, 0755);
        break;
      case TarMember::Type::symlink:
        archive_entry_set_filetype(e, AE_IFLNK);
        archive_entry_set_perm(e, 0777);
        archive_entry_set_symlink(e, m.link.c_str());
        break;
      case TarMember::Type::hardlink:
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_hardlink(e, m.link.c_str());
        archive_entry_set_size(e, 0);
        break;
      case TarMember::Type::fifo:
        archive_entry_set_filetype(e, AE_IFIFO);
        archive_entry_set_perm(e, 0644);
        break;
      case TarMember::Type::char_device:
        archive_entry_set_filetype(e, AE_IFCHR);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_rdev(e, 0x0501);
        break;
    }
    check(archive_write_header(a, e), a);
    if (m.type == TarMember::Type::file && !m.data.empty()) {
      (void)archive_write_data(a, m.data.data(), m.data.size());
    }
    archive_entry_free(e);
  }
  check(archive_write_close(a), a);
  archive_write_free(a);
  return out;
}

std::string digest(const std::string& bytes) { return "sha256:" + sha256_hex(bytes); }

std::string make_config(const std::vector<std::string>& layers, const std::vector<std::string>& env) {
  nlohmann::json diff_ids = nlohmann::json::array();
  for (const std::string& l : layers) {
    diff_ids.push_back(digest(l));
  }
  nlohmann::json config = {
      {"architecture", "amd64"},
      {"os", "linux"},
      {"config",
       {{"Env", env},
        {"Entrypoint", {"/bin/sh", "-c"}},
        {"Cmd", {"python3"}},
        {"WorkingDir", "/work"},
        {"Labels", {{"org.example", "yes"}}}}},
      {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}}};
  return config.dump();
}

std::string make_docker_archive(const std::vector<std::string>& layers,
                                const std::string& config_json, const std::string& name) {
  std::vector<TarMember> members;
  const std::string config_name = sha256_hex(config_json) + ".json";
  members.push_back(file(config_name, config_json));
  nlohmann::json layer_names = nlohmann::json::array();
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const std::string dirname = sha256_hex(layers[i] + std::to_string(i));
    members.push_back(dir(dirname + "/"));
    members.push_back(file(dirname + "/layer.tar", layers[i]));
    layer_names.push_back(dirname + "/layer.tar");
  }
  nlohmann::json manifest = nlohmann::json::array();
  manifest.push_back({{"Config", config_name}, {"RepoTags", {name}}, {"Layers", layer_names}});
  members.push_back(file("manifest.json", manifest.dump()));
  return make_tar(members, TarFormat::pax);
}

std::vector<std::pair<std::string, std::string>> make_oci_layout(
    const std::vector<std::string>& layers, const std::string& config_json,
    const std::string& ref_name, bool layer_media_gzip) {
  std::vector<std::pair<std::string, std::string>> files;
  const auto blob = [&files](const std::string& bytes) {
    files.emplace_back("blobs/sha256/" + sha256_hex(bytes), bytes);
    return digest(bytes);
  };
  nlohmann::json layer_descriptors = nlohmann::json::array();
  for (const std::string& l : layers) {
    layer_descriptors.push_back(
        {{"mediaType", layer_media_gzip ? "application/vnd.oci.image.layer.v1.tar+gzip"
                                        : "application/vnd.oci.image.layer.v1.tar"},
         {"digest", blob(l)},
         {"size", l.size()}});
  }
  nlohmann::json manifest = {
      {"schemaVersion", 2},
      {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
      {"config",
       {{"mediaType", "application/vnd.oci.image.config.v1+json"},
        {"digest", blob(config_json)},
        {"size", config_json.size()}}},
      {"layers", layer_descriptors}};
  const std::string manifest_text = manifest.dump();
  const std::string manifest_digest = blob(manifest_text);
  nlohmann::json index = {
      {"schemaVersion", 2},
      {"manifests",
       {{{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
         {"digest", manifest_digest},
         {"size", manifest_text.size()},
         {"annotations", {{"org.opencontainers.image.ref.name", ref_name}}}}}}};
  files.emplace_back("index.json", index.dump());
  files.emplace_back("oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
  return files;
}

}  // namespace mlstack::rootfs::testing
