// SPDX-License-Identifier: MIT
// Import orders over the loader's fixture libraries (tests/unit/loader/CMakeLists.txt): the
// "interpreter" is rpath/libldc.so.1 (no search path of its own); framework `a` dlopens
// env/libldb.so.1 by path, framework `b` asks for `libldb.so.1` by soname.
#include "mlstack/linkmap/scenario.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace mlstack::linkmap {
namespace {

const std::string k_fixture = MLSTACK_LOADER_FIXTURE;

FrameworkLoad load(std::string name, std::string candidate, bool required = true) {
  FrameworkLoad f;
  f.framework = std::move(name);
  LoadStep s;
  s.candidates = {std::move(candidate)};
  s.why = f.framework + "/__init__.py";
  s.required = required;
  f.steps.push_back(std::move(s));
  return f;
}

const facts::MappedLibrary* find(const facts::LoadScenario& s, const std::string& soname) {
  const auto it = std::find_if(s.libraries.begin(), s.libraries.end(),
                               [&soname](const facts::MappedLibrary& l) {
                                 return l.soname == soname && l.origin != "interpreter";
                               });
  return it == s.libraries.end() ? nullptr : &*it;
}

class Scenario : public ::testing::Test {
 protected:
  facts::LoadScenario run(const std::vector<FrameworkLoad>& order,
                          const std::string& interpreter = k_fixture + "/rpath/libldc.so.1") {
    const ScenarioInput in{m_config, m_reader, m_labeller, interpreter};
    return simulate(in, order);
  }
  io::RealFileSystem m_fs;
  facts::BuildFacts m_builds;
  facts::Inventory m_inventory;
  Labeller m_labeller{m_fs, m_builds, m_inventory};
  loader::LoaderConfig m_config;  // no cache: nothing outside the fixture is searched for
  loader::ElfObjectReader m_reader;
};

TEST_F(Scenario, ASonameAlreadyLoadedWins) {
  const facts::LoadScenario ab =
      run({load("a", k_fixture + "/env/libldb.so.1"), load("b", "libldb.so.1")});
  EXPECT_EQ(ab.order, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(ab.missing.empty());
  const facts::MappedLibrary* ldb = find(ab, "libldb.so.1");
  ASSERT_NE(ldb, nullptr);
  // b's dlopen by soname takes a's copy: one libldb, loaded by a.
  EXPECT_EQ(std::count_if(ab.libraries.begin(), ab.libraries.end(),
                          [](const facts::MappedLibrary& l) { return l.soname == "libldb.so.1"; }),
            1);
  EXPECT_EQ(ldb->path, k_fixture + "/env/libldb.so.1");
  EXPECT_EQ(ldb->loaded_by, "a");
  EXPECT_EQ(ldb->rule, "path");
  EXPECT_EQ(ldb->why, "dlopen by a/__init__.py");
  EXPECT_EQ(ldb->origin, "system");  // in no inventory
  EXPECT_EQ(ldb->when, "import");
  EXPECT_EQ(ldb->library, "");

  // The other order: b's soname is searched for and not found, so b's import fails; a still
  // maps its copy.
  const facts::LoadScenario ba =
      run({load("b", "libldb.so.1"), load("a", k_fixture + "/env/libldb.so.1")});
  ASSERT_EQ(ba.missing.size(), 1U);
  EXPECT_NE(ba.missing[0].find("libldb.so.1 (dlopen): not found; import b fails"),
            std::string::npos)
      << ba.missing[0];
  const facts::MappedLibrary* ldb2 = find(ba, "libldb.so.1");
  ASSERT_NE(ldb2, nullptr);
  EXPECT_EQ(ldb2->loaded_by, "a");
}

// The fixture's probe as the interpreter: its needs are the interpreter's; a dlopen by path of
// a second libldb.so.1 maps a second copy.
TEST_F(Scenario, LabelsTheInterpreterAndDependencies) {
  const std::string probe = k_fixture + "/bin/loader_probe";
  const facts::LoadScenario s = run({load("a", k_fixture + "/env/libldb.so.1")}, probe);
  ASSERT_FALSE(s.libraries.empty());
  EXPECT_EQ(s.libraries.front().path, probe);
  EXPECT_EQ(s.libraries.front().origin, "interpreter");
  EXPECT_EQ(s.libraries.front().why, "the interpreter");
  EXPECT_EQ(s.libraries.front().loaded_by, "");
  const auto lda = std::find_if(s.libraries.begin(), s.libraries.end(),
                                [](const facts::MappedLibrary& l) { return l.soname == "liblda.so.1"; });
  ASSERT_NE(lda, s.libraries.end());
  EXPECT_EQ(lda->origin, "interpreter");
  EXPECT_EQ(lda->rule, "rpath");
  EXPECT_EQ(lda->why, "DT_NEEDED of " + probe);
  EXPECT_EQ(lda->real_path, k_fixture + "/rpath/liblda.so.1");
  EXPECT_EQ(std::count_if(s.libraries.begin(), s.libraries.end(),
                          [](const facts::MappedLibrary& l) { return l.soname == "libldb.so.1"; }),
            2);
  const facts::MappedLibrary* copy = find(s, "libldb.so.1");
  ASSERT_NE(copy, nullptr);
  EXPECT_EQ(copy->path, k_fixture + "/env/libldb.so.1");
  EXPECT_TRUE(s.missing_versions.empty());
}

// A clone goes on from the same state: the order a-then-b from a clone after a's import is the
// order simulated whole, and the original is untouched.
TEST_F(Scenario, ACloneGoesOnFromTheSameState) {
  const FrameworkLoad a = load("a", k_fixture + "/env/libldb.so.1");
  const FrameworkLoad b = load("b", "libldb.so.1");
  const ScenarioInput in{m_config, m_reader, m_labeller, k_fixture + "/rpath/libldc.so.1"};
  Simulation base(in);
  ASSERT_TRUE(base.exec());
  Simulation first = base.clone();
  ASSERT_TRUE(first.import(a));
  Simulation both = first.clone();
  ASSERT_TRUE(both.import(b));
  const facts::LoadScenario cloned = both.take({&a, &b});
  const facts::LoadScenario whole = simulate(in, {a, b});
  ASSERT_EQ(cloned.libraries.size(), whole.libraries.size());
  for (std::size_t i = 0; i < whole.libraries.size(); ++i) {
    EXPECT_EQ(cloned.libraries[i].path, whole.libraries[i].path);
    EXPECT_EQ(cloned.libraries[i].why, whole.libraries[i].why);
  }
  EXPECT_EQ(cloned.order, whole.order);
  // b alone from the interpreter's state: its soname is not found.
  Simulation other = base.clone();
  EXPECT_FALSE(other.import(b));
  EXPECT_EQ(other.take({&b}).missing.size(), 1U);
}

TEST_F(Scenario, AnOptionalStepThatFailsIsNoProblem) {
  const facts::LoadScenario s = run({load("a", "libnothing-mlstack.so.3", false)});
  EXPECT_TRUE(s.missing.empty());
  EXPECT_EQ(s.order, std::vector<std::string>{"a"});
}

TEST_F(Scenario, ConditionsOnWhatIsMapped) {
  FrameworkLoad a = load("a", k_fixture + "/env/libldb.so.1");
  a.steps[0].if_mapped = "libnothing";
  EXPECT_EQ(find(run({a}), "libldb.so.1"), nullptr);
  a.steps[0].if_mapped = "libldc";
  EXPECT_NE(find(run({a}), "libldb.so.1"), nullptr);
  a.steps[0].unless_mapped = k_fixture + "/rpath/libldc.so.1";
  EXPECT_EQ(find(run({a}), "libldb.so.1"), nullptr);
}

}  // namespace
}  // namespace mlstack::linkmap
