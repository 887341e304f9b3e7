// SPDX-License-Identifier: MIT
// The search order over a fake file tree (the real loader is compared in real_loader_test).
#include "mlstack/loader/resolve.hpp"

#include <gtest/gtest.h>

#include <map>

namespace mlstack::loader {
namespace {

class FakeReader final : public ObjectReader {
 public:
  // A 64-bit x86-64 object at `path`.
  elf::DynamicInfo& add(const std::string& path, std::string soname = {},
                        std::vector<std::string> needed = {}) {
    ObjectInfo& o = m_files[path];
    o.dynamic.soname = std::move(soname);
    o.dynamic.needed = std::move(needed);
    o.dynamic.elf_class = 2;
    o.dynamic.machine = 62;
    o.inode = ++m_inodes;
    return o.dynamic;
  }
  void link(const std::string& path, const std::string& target) { m_files[path] = m_files[target]; }
  void garbage(const std::string& path) { m_garbage.push_back(path); }

  [[nodiscard]] Result<ObjectInfo> read(const std::string& path) const override {
    if (std::find(m_garbage.begin(), m_garbage.end(), path) != m_garbage.end()) {
      return unexpected(make_error(ErrorCode::invalid_data, "cannot read `" + path + "`: not an ELF file"));
    }
    auto it = m_files.find(path);
    if (it == m_files.end()) {
      return unexpected(make_error(ErrorCode::not_found, "missing"));
    }
    return it->second;
  }

 private:
  std::map<std::string, ObjectInfo> m_files;
  std::vector<std::string> m_garbage;
  std::uint64_t m_inodes = 0;
};

// "requested path rule" per object after the entry, in load order.
std::vector<std::string> summary(const Resolution& r) {
  std::vector<std::string> out;
  for (const LoadedObject& o : r.objects) {
    if (o.rule != Rule::entry && o.rule != Rule::preloaded) {
      out.push_back(o.requested + " " + o.path + " " + std::string(rule_name(o.rule)));
    }
  }
  return out;
}

LoaderConfig plain() {
  LoaderConfig c;
  c.default_dirs = {"/lib", "/usr/lib"};
  return c;
}

using V = std::vector<std::string>;

TEST(Resolve, RpathOfTheLoadersAppliesOnlyWithoutRunpath) {
  FakeReader fs;
  // $ORIGIN is the folder of the path as found, `..` kept (ld.so does not normalize it).
  fs.add("/app/bin/main", "", {"liba.so"}).rpath = "$ORIGIN/../rp";
  fs.add("/app/bin/../rp/liba.so", "liba.so", {"libb.so"}).runpath = "$ORIGIN/run";
  fs.add("/app/bin/../rp/libb.so", "libb.so", {"libc.so"});
  fs.add("/app/bin/../rp/run/libb.so", "libb.so", {"libc.so"});
  fs.add("/app/bin/../rp/libc.so", "libc.so");
  fs.add("/app/bin/../rp/run/libc.so", "libc.so");
  fs.add("/lib/libc.so", "libc.so");
  auto r = resolve("/app/bin/main", plain(), fs);
  ASSERT_TRUE(r);
  EXPECT_EQ(summary(*r), (V{"liba.so /app/bin/../rp/liba.so rpath",
                            "libb.so /app/bin/../rp/run/libb.so runpath",
                            "libc.so /app/bin/../rp/libc.so rpath"}));
  ASSERT_EQ(r->objects.size(), 4U);
  EXPECT_EQ(r->objects[3].rule_owner, "/app/bin/main");  // libc.so: the executable's RPATH
  EXPECT_TRUE(r->missing.empty());
}

TEST(Resolve, AnObjectWithBothIgnoresItsRpathForWhatItLoadsToo) {
  FakeReader fs;
  elf::DynamicInfo& m = fs.add("/m", "", {"liba.so"});
  m.rpath = "/rp";
  m.runpath = "/run";
  fs.add("/rp/liba.so", "liba.so", {"libb.so"});
  fs.add("/run/liba.so", "liba.so", {"libb.so"});
  fs.add("/rp/libb.so", "libb.so");
  fs.add("/lib/libb.so", "libb.so");
  auto r = resolve("/m", plain(), fs);
  ASSERT_TRUE(r);
  EXPECT_EQ(summary(*r), (V{"liba.so /run/liba.so runpath", "libb.so /lib/libb.so default_dirs"}));
}

TEST(Resolve, LdLibraryPathComesBetweenRpathAndRunpath) {
  FakeReader fs;
  fs.add("/m", "", {"liba.so", "libb.so"}).rpath = "/rp";
  fs.add("/rp/liba.so", "liba.so");
  fs.add("/env/liba.so", "liba.so");
  fs.add("/env/libb.so", "libb.so");
  LoaderConfig c = plain();
  c.ld_library_path = "/nothing;/env";
  auto r = resolve("/m", c, fs);
  ASSERT_TRUE(r);
  EXPECT_EQ(summary(*r), (V{"liba.so /rp/liba.so rpath", "libb.so /env/libb.so ld_library_path"}));
  // With a RUNPATH the RPATH is ignored and LD_LIBRARY_PATH wins.
  fs.add("/m", "", {"liba.so"}).runpath = "/rp";
  auto r2 = resolve("/m", c, fs);
  ASSERT_TRUE(r2);
  EXPECT_EQ(summary(*r2), (V{"liba.so /env/liba.so ld_library_path"}));
}

TEST(Resolve, RunpathIsNotInherited) {
  FakeReader fs;
  fs.add("/m", "", {"liba.so"}).runpath = "/run";
  fs.add("/run/liba.so", "liba.so", {"libb.so"});
  fs.add("/run/libb.so", "libb.so");
  fs.add("/usr/lib/libb.so", "libb.so");
  auto r = resolve("/m", plain(), fs);
  ASSERT_TRUE(r);
  EXPECT_EQ(summary(*r), (V{"liba.so /run/liba.so runpath", "libb.so /usr/lib/libb.so default_dirs"}));
}

TEST(Resolve, CacheBeforeDefaultDirsAndNodeflib) {
  FakeReader fs;
  fs.add("/m", "", {"libx.so.1", "liby.so.1"});
  fs.add("/opt/libx.so.1", "libx.so.1");
  fs.add("/lib/libx.so.1", "libx.so.1");
  fs.add("/lib/liby.so.1", "liby.so.1");
  fs.add("/usr/lib/liby.so.1", "liby.so.1");
  LdCache cache;
  fs.add("/usr/lib/sub/libz.so.1", "libz.so.1");
  cache.entries = {{"libx.so.1", "/opt/libx.so.1", 0x0303, 0},
                   {"liby.so.1", "/usr/lib/liby.so.1", 0x0303, 0},
                   {"libz.so.1", "/usr/lib/sub/libz.so.1", 0x0303, 0}};
  LoaderConfig c = plain();
  c.cache = &cache;
  auto r = resolve("/m", c, fs);
  ASSERT_TRUE(r);
  EXPECT_EQ(summary(*r), (V{"libx.so.1 /opt/libx.so.1 cache", "liby.so.1 /usr/lib/liby.so.1 cache"}));
  // DF_1_NODEFLIB: no cache entry in (or below) a default folder, no default folder.
  fs.add("/m", "", {"libx.so.1", "liby.so.1", "libz.so.1"}).flags_1 = 0x800;
  auto r2 = resolve("/m", c, fs);
  ASSERT_TRUE(r2);
  EXPECT_EQ(summary(*r2), (V{"libx.so.1 /opt/libx.so.1 cache"}));
  ASSERT_EQ(r2->missing.size(), 2U);
  EXPECT_EQ(r2->missing[1].name, "libz.so.1");
  EXPECT_EQ(r2->missing[0].name, "liby.so.1");
  EXPECT_EQ(r2->missing[0].reason, "not found");
}

TEST(Resolve, ALoadedSonameOrFileWins) {
  FakeReader fs;
  fs.add("/m", "", {"liba.so", "libb.so", "libalias.so", "ld-linux-x86-64.so.2"}).rpath = "/a:/b";
  fs.add("/a/liba.so", "liba.so", {"libb.so.real"});
  fs.add("/b/libb.so", "libb.so.real");
  fs.add("/b/libb.so.real", "libb.so.real");
  fs.link("/b/libalias.so", "/a/liba.so");  // the same file under another name
  LoaderConfig c = plain();
  c.preloaded = {{"/lib64/ld-linux-x86-64.so.2", "ld-linux-x86-64.so.2"}};
  auto r = resolve("/m", c, fs);
  ASSERT_TRUE(r);
  // libb.so's file has the soname libb.so.real, so liba's libb.so.real is that object.
  EXPECT_EQ(summary(*r), (V{"liba.so /a/liba.so rpath", "libb.so /b/libb.so rpath"}));
  const LoadedObject& main = r->objects[1];
  EXPECT_EQ(main.dependencies, (std::vector<int>{2, 3, 2, 0}));
  EXPECT_EQ(r->objects[2].dependencies, (std::vector<int>{3}));
}

TEST(Resolve, OtherClassesArePassedOverAndGarbageStops) {
  FakeReader fs;
  fs.add("/m", "", {"liba.so", "libbad.so", "libnone.so"}).rpath = "/32:/64";
  fs.add("/32/liba.so", "liba.so").elf_class = 1;
  fs.add("/64/liba.so", "liba.so");
  fs.garbage("/32/libbad.so");
  fs.add("/64/libbad.so", "libbad.so");
  auto r = resolve("/m", plain(), fs);
  ASSERT_TRUE(r);
  EXPECT_EQ(summary(*r), (V{"liba.so /64/liba.so rpath"}));
  ASSERT_EQ(r->missing.size(), 2U);
  EXPECT_EQ(r->missing[0].name, "libbad.so");
  EXPECT_EQ(r->missing[0].reason, "cannot read `/32/libbad.so`: not an ELF file");
  EXPECT_EQ(r->missing[1].searched,
            (V{"/32/libnone.so", "/64/libnone.so", "/lib/libnone.so", "/usr/lib/libnone.so"}));
  EXPECT_EQ(r->missing[1].needed_by, "/m");
}

TEST(Resolve, SlashNamesAreOpenedAsWrittenAndSubdirsComeFirst) {
  FakeReader fs;
  fs.add("/app/m", "", {"$ORIGIN/plug/libp.so", "libq.so"});
  fs.add("/app/plug/libp.so", "libp.so");
  fs.add("/lib/tls/libq.so", "libq.so");
  fs.add("/lib/libq.so", "libq.so");
  LoaderConfig c = plain();
  c.subdirs = {"tls"};
  auto r = resolve("/app/m", c, fs);
  ASSERT_TRUE(r);
  EXPECT_EQ(summary(*r), (V{"$ORIGIN/plug/libp.so /app/plug/libp.so path",
                            "libq.so /lib/tls/libq.so default_dirs"}));
}

TEST(Process, DlopenSeesWhatIsMappedAndUnmapsOnFailure) {
  FakeReader fs;
  fs.add("/m", "", {"libx.so"}).rpath = "/rp";
  fs.add("/rp/libx.so", "libx.so");
  fs.add("/other/libx.so", "libx.so");
  fs.add("/rp/libbroken.so", "libbroken.so", {"libx.so", "libgone.so"});
  fs.add("/rp/libplug.so", "libplug.so");
  fs.add("/lib/ld.so", "ld.so");
  LoaderConfig c = plain();
  c.preloaded = {{"/lib/ld.so", "ld.so"}};
  Process p(c, fs);
  auto main = p.exec("/m");
  ASSERT_TRUE(main);
  EXPECT_EQ(*main, 1);
  EXPECT_FALSE(p.exec("/m"));  // one executable
  EXPECT_EQ(p.dlopen("libx.so", *main).index, 2);  // mapped already
  const auto copy = p.dlopen("/other/libx.so", *main);  // a path: another file, a 2nd copy
  EXPECT_EQ(copy.index, 3);
  const auto broken = p.dlopen("libbroken.so", *main);
  EXPECT_EQ(broken.index, -1);
  ASSERT_EQ(broken.missing.size(), 1U);
  EXPECT_EQ(broken.missing[0].name, "libgone.so");
  EXPECT_EQ(broken.missing[0].needed_by, "/rp/libbroken.so");
  EXPECT_EQ(p.resolution().objects.size(), 4U);  // libbroken unmapped again
  EXPECT_TRUE(p.resolution().missing.empty());
  EXPECT_EQ(p.dlopen("libbroken.so", *main).index, -1);  // still not there
  // Called from an object whose loaders do not reach the executable: its DT_RPATH still counts.
  const auto plug = p.dlopen("libplug.so", 0);
  EXPECT_EQ(plug.index, 4);
  EXPECT_EQ(p.resolution().objects[4].rule, Rule::rpath);
  EXPECT_EQ(p.resolution().objects[4].rule_owner, "/m");
}

TEST(CheckVersions, ComparesNeedsWithTheMappedProvidersDefinitions) {
  Resolution r;
  auto object = [&r](std::string path, std::string soname, std::vector<std::string> needed,
                     std::vector<int> deps) -> LoadedObject& {
    LoadedObject& o = r.objects.emplace_back();
    o.path = std::move(path);
    o.soname = std::move(soname);
    o.needed = std::move(needed);
    o.dependencies = std::move(deps);
    return o;
  };
  object("/m", "", {"libstdc++.so.6", "libplain.so"}, {1, 2}).versions.needs = {
      {"libstdc++.so.6", {"GLIBCXX_3.4", "GLIBCXX_3.4.32", "CXXABI_1.3.15"}, {false, false, true}},
      {"libplain.so", {"P_1"}, {false}},     // the provider defines no versions: passes
      {"libgone.so", {"G_1"}, {false}}};     // not mapped: Resolution::missing tells
  object("/lib/libstdc++.so.6", "libstdc++.so.6", {}, {}).versions.definitions = {
      "GLIBCXX_3.4", "GLIBCXX_3.4.30", "CXXABI_1.3"};
  object("/lib/libplain.so", "libplain.so", {}, {});
  // Found by soname when the needing object does not list it in DT_NEEDED.
  object("/p", "", {}, {}).versions.needs = {{"libstdc++.so.6", {"GLIBCXX_3.4.31"}, {false}}};
  const auto missing = check_versions(r);
  ASSERT_EQ(missing.size(), 3U);
  EXPECT_EQ(missing[0].object, "/m");
  EXPECT_EQ(missing[0].version, "GLIBCXX_3.4.32");
  EXPECT_EQ(missing[0].provider, "/lib/libstdc++.so.6");
  EXPECT_FALSE(missing[0].weak);
  EXPECT_EQ(missing[1].version, "CXXABI_1.3.15");
  EXPECT_TRUE(missing[1].weak);
  EXPECT_EQ(missing[2].object, "/p");
  EXPECT_EQ(missing[2].file, "libstdc++.so.6");
}

TEST(Resolve, AnUnreadableEntryIsAnError) {
  FakeReader fs;
  auto r = resolve("/nothing", plain(), fs);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::not_found);
}

}  // namespace
}  // namespace mlstack::loader
