// SPDX-License-Identifier: MIT
// compare/report: per-tensor tolerances (`--rtol [NAME:]VALUE`, Polygraphy's syntax) resolved
// for the pairs, and their effect on the verdicts.
#include "mlstack/compare/report.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mlstack::compare {
namespace {

using tensors::DType;

// A file of named float tensors (f64 storage, typed as `dtype`: only the dtype matters to the
// tolerances; the verdict tests use f64).
struct File {
  std::vector<std::vector<double>> values;
  tensors::TensorFile file;
};

File make_file(std::string path, const std::vector<std::pair<std::string, std::vector<double>>>& t,
               DType dtype = DType::f64) {
  File f;
  f.file.path = std::move(path);
  f.values.reserve(t.size());
  for (const auto& [name, v] : t) {
    f.values.push_back(v);
  }
  for (std::size_t i = 0; i < t.size(); ++i) {
    tensors::TensorView view;
    view.name = t[i].first;
    view.dtype = dtype;
    view.shape = {f.values[i].size()};
    view.element_count = f.values[i].size();
    view.data = std::as_bytes(std::span(f.values[i]));
    f.file.tensors.push_back(std::move(view));
  }
  return f;
}

struct Fixture {
  File a = make_file("a.npz", {{"logits", {1.0, 2.0}}, {"probs", {0.5, 0.25}}});
  File b = make_file("b.npz", {{"logits", {1.005, 2.0}}, {"probs", {0.5, 0.2500001}}});
  Pairing pairing = pair_tensors(a.file, b.file, {}).value();

  [[nodiscard]] Result<std::map<std::string, Tolerance>> resolve(
      std::vector<std::string> rtol, std::vector<std::string> atol, bool equal_nan = false,
      Semantics s = Semantics::numpy) const {
    return resolve_tolerances({std::move(rtol), std::move(atol), equal_nan}, s, a.file, b.file,
                              pairing);
  }
};

TEST(CompareTolerances, NothingGivenLeavesTheRuleDefaults) {
  const Fixture f;
  const auto r = f.resolve({}, {});
  ASSERT_TRUE(r) << to_string(r.error());
  EXPECT_TRUE(r->empty());
}

TEST(CompareTolerances, DefaultThenByNameAsPolygraphyParsesThem) {
  const Fixture f;
  const auto r = f.resolve({"1e-3", "logits:1e-2"}, {"probs:1e-6"});
  ASSERT_TRUE(r) << to_string(r.error());
  ASSERT_EQ(r->size(), 2U);
  EXPECT_EQ(r->at("logits").rtol, 1e-2);
  EXPECT_EQ(r->at("logits").atol, 1e-8);  // numpy's default: not given for logits nor for all
  EXPECT_EQ(r->at("probs").rtol, 1e-3);
  EXPECT_EQ(r->at("probs").atol, 1e-6);
  EXPECT_EQ(r->at("probs").equal_nan, EqualNan::no);
}

TEST(CompareTolerances, TheLastValueWinsAndAnEmptyNameIsTheDefault) {
  const Fixture f;
  const auto r = f.resolve({"logits:1e-2", "1e-3", "logits:0.5", ":1e-4"}, {}, true);
  ASSERT_TRUE(r) << to_string(r.error());
  EXPECT_EQ(r->at("logits").rtol, 0.5);
  EXPECT_EQ(r->at("probs").rtol, 1e-4);
  EXPECT_EQ(r->at("probs").equal_nan, EqualNan::yes);
}

TEST(CompareTolerances, EqualNanAloneKeepsEachPairsDefaults) {
  File a = make_file("a.safetensors", {{"h", {1.0}}}, DType::f16);
  File b = make_file("b.safetensors", {{"h", {1.0}}}, DType::f32);
  const auto pairing = pair_tensors(a.file, b.file, {}).value();
  const auto r = resolve_tolerances({{}, {}, true}, Semantics::torch, a.file, b.file, pairing);
  ASSERT_TRUE(r) << to_string(r.error());
  // torch: the looser of float16's and float32's rows of _DTYPE_PRECISIONS.
  EXPECT_EQ(r->at("h").rtol, 1e-3);
  EXPECT_EQ(r->at("h").atol, 1e-5);
  EXPECT_EQ(r->at("h").equal_nan, EqualNan::yes);
}

TEST(CompareTolerances, ANameMayHoldColonsTheValueFollowsTheLast) {
  File a = make_file("a.pb", {{"logits:0", {1.0}}, {"x", {2.0}}});
  File b = make_file("b.pb", {{"logits:0", {1.0}}, {"x", {2.0}}});
  const auto pairing = pair_tensors(a.file, b.file, {}).value();
  const auto r =
      resolve_tolerances({{"logits:0:0.25"}, {}, false}, Semantics::polygraphy, a.file, b.file,
                         pairing);
  ASSERT_TRUE(r) << to_string(r.error());
  EXPECT_EQ(r->at("logits:0").rtol, 0.25);
  EXPECT_EQ(r->at("logits:0").atol, 1e-5);  // Polygraphy's default
  EXPECT_EQ(r->at("x").rtol, 1e-5);
}

TEST(CompareTolerances, ANameNotInTheFirstFileIsBadInput) {
  const Fixture f;
  const auto r = f.resolve({"1e-3"}, {"nope:1e-6"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::not_found);
  EXPECT_EQ(to_string(r.error()), "a.npz: `--atol nope:1e-6`: no tensor `nope` here");
}

TEST(CompareTolerances, BsNameUnderMapSaysWhichNameToUse) {
  File a = make_file("a.pb", {{"y", {1.0}}, {"z", {1.0}}});
  File b = make_file("b.npz", {{"out", {1.0}}, {"z", {1.0}}});
  const auto pairing = pair_tensors(a.file, b.file, {{"y", "out"}}).value();
  const auto r = resolve_tolerances({{"out:1e-2"}, {}, false}, Semantics::numpy, a.file, b.file,
                                    pairing);
  ASSERT_FALSE(r);
  EXPECT_EQ(to_string(r.error()),
            "a.pb: `--rtol out:1e-2`: no tensor `out` here (tolerances name the first file's "
            "tensors: use `y`, paired with `out`)");
  const auto ok = resolve_tolerances({{"y:1e-2"}, {}, false}, Semantics::numpy, a.file, b.file,
                                     pairing);
  ASSERT_TRUE(ok) << to_string(ok.error());
  EXPECT_EQ(ok->at("y").rtol, 1e-2);
  EXPECT_EQ(ok->at("z").rtol, 1e-5);
}

TEST(CompareTolerances, ValuesMustBeFiniteNumbersNotNegative) {
  const Fixture f;
  for (const std::string bad : {"x", "-1", "nan", "inf", "logits:", "1e-3abc", "", "logits:-0.1",
                                " 1e-3"}) {
    SCOPED_TRACE(bad);
    const auto r = f.resolve({bad}, {});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::parse);
    EXPECT_EQ(r.error().message,
              "expected `--rtol [NAME:]VALUE` with VALUE a number >= 0, found `" + bad + "`");
  }
  const auto r = f.resolve({}, {"probs:x"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "expected `--atol [NAME:]VALUE` with VALUE a number >= 0, found `probs:x`");
}

TEST(CompareTolerances, AnOverrideDecidesItsTensorsVerdictOnly) {
  const Fixture f;
  Options o;
  const auto strict = compare_files(f.a.file, f.b.file, f.pairing, o);
  ASSERT_EQ(strict.pairs.size(), 2U);
  EXPECT_EQ(strict.pairs[0].result.outcome, Outcome::values_differ);  // logits: 0.5% off
  EXPECT_EQ(strict.pairs[1].result.outcome, Outcome::agree);          // probs: 1e-7 off
  // logits within 1e-2; probs held to an absolute 1e-8 with no relative slack: differs.
  const auto t = f.resolve({"0", "logits:1e-2"}, {"probs:1e-8"});
  ASSERT_TRUE(t) << to_string(t.error());
  const auto c = compare_files(f.a.file, f.b.file, f.pairing, o, *t);
  EXPECT_EQ(c.pairs[0].result.outcome, Outcome::agree);
  EXPECT_EQ(c.pairs[0].result.tolerance.rtol, 1e-2);
  EXPECT_EQ(c.pairs[1].result.outcome, Outcome::values_differ);
  EXPECT_EQ(c.pairs[1].result.tolerance.atol, 1e-8);
  EXPECT_EQ(c.pairs[1].result.tolerance.rtol, 0.0);
}

}  // namespace
}  // namespace mlstack::compare
