// SPDX-License-Identifier: MIT
// compare against the references on thousands of generated array pairs (make_cases.py):
// numpy.isclose's mask element for element, allclose, the NaN/Inf counts and the statistics
// numpy computes on float64 values; torch.isclose's mask (assert_close's check) with the given
// and with the dtype-default tolerances.
#include "mlstack/compare/compare.hpp"
#include "mlstack/tensors/npz.hpp"

#include <algorithm>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

namespace mlstack::compare {
namespace {

using tensors::DType;

const std::filesystem::path k_dir = MLSTACK_COMPARE_CASES;

DType dtype_of(std::string_view name) {
  static const std::map<std::string, DType, std::less<>> k_names{
      {"float16", DType::f16}, {"bfloat16", DType::bf16}, {"float32", DType::f32},
      {"float64", DType::f64}, {"int8", DType::i8},       {"int16", DType::i16},
      {"int32", DType::i32},   {"int64", DType::i64},     {"uint8", DType::u8},
      {"uint16", DType::u16},  {"uint32", DType::u32},    {"uint64", DType::u64},
      {"bool", DType::boolean}};
  return k_names.find(name)->second;
}

std::string mask_text(const std::vector<std::uint8_t>& m) {
  std::string s;
  for (const auto v : m) {
    s.push_back(v != 0 ? '1' : '0');
  }
  return s;
}

struct Corpus {
  tensors::TensorFile arrays;
  nlohmann::json cases;
  nlohmann::json torch_cases;
};

const Corpus* corpus() {
  static const auto* c = [] () -> Corpus* {
    std::ifstream in(k_dir / "cases.json");
    if (!in) {
      return nullptr;
    }
    auto npz = tensors::read_npz((k_dir / "cases.npz").string());
    if (!npz) {
      ADD_FAILURE() << to_string(npz.error());
      return nullptr;
    }
    auto* out = new Corpus{std::move(*npz), nlohmann::json::parse(in), nullptr};
    std::ifstream tin(k_dir / "torch_cases.json");
    if (tin) {
      out->torch_cases = nlohmann::json::parse(tin);
    }
    return out;
  }();
  return c;
}

// The case's two tensors, bfloat16 restored from the uint16 bits numpy stored.
std::pair<tensors::TensorView, tensors::TensorView> pair_of(const Corpus& c, const nlohmann::json& k) {
  const auto id = k["id"].get<int>();
  auto a = *c.arrays.find("a" + std::to_string(id));
  auto b = *c.arrays.find("b" + std::to_string(id));
  a.dtype = dtype_of(k["a_dtype"].get<std::string>());
  b.dtype = dtype_of(k["b_dtype"].get<std::string>());
  return {a, b};
}

// A number, or the string Python's repr gives a non-finite one (`inf`, `-inf`, `nan`).
double number(const nlohmann::json& j) {
  if (j.is_string()) {
    const auto& s = j.get_ref<const std::string&>();
    return s == "nan" ? std::nan("") : (s == "-inf" ? -HUGE_VAL : HUGE_VAL);
  }
  return j.get<double>();
}

void expect_near(double got, double want, double rel, const char* what) {
  if (std::isinf(want) || std::isnan(want)) {
    EXPECT_EQ(std::isinf(got), std::isinf(want)) << what;
    return;
  }
  EXPECT_NEAR(got, want, std::fabs(want) * rel + 1e-300) << what;
}

// Elements not close in a mask written as '0' and '1'.
std::uint64_t zeros(const std::string& mask) {
  return static_cast<std::uint64_t>(std::count(mask.begin(), mask.end(), '0'));
}

TEST(CompareDifferential, NumpyIscloseAndStatistics) {
  const auto* c = corpus();
  if (c == nullptr) {
    GTEST_SKIP() << "no cases: tools/tensor_env could not be built (see compare.cases)";
  }
  std::size_t checked = 0;
  std::size_t mismatching_cases = 0;
  for (const auto& k : c->cases) {
    SCOPED_TRACE("case " + std::to_string(k["id"].get<int>()) + " " +
                 k["a_dtype"].get<std::string>() + " vs " + k["b_dtype"].get<std::string>());
    const auto [a, b] = pair_of(*c, k);
    Options o;
    o.tolerance = Tolerance{k["rtol"].get<double>(), k["atol"].get<double>(),
                            k["equal_nan"].get<bool>() ? EqualNan::yes : EqualNan::no};
    const auto mask = mask_text(close_mask(a, b, o));
    EXPECT_EQ(mask, k["numpy_mask"].get<std::string>());
    const auto r = compare_tensors(a, b, o);
    EXPECT_EQ(r.outcome == Outcome::agree, k["numpy_allclose"].get<bool>());
    // The kernel's count (SIMD where the dtypes allow) against numpy's mask.
    EXPECT_EQ(r.stats.mismatches, zeros(k["numpy_mask"].get<std::string>()));
    EXPECT_EQ(r.stats.nan_mismatches, k["nan_mismatches"].get<std::uint64_t>());
    EXPECT_EQ(r.stats.inf_mismatches, k["inf_mismatches"].get<std::uint64_t>());
    mismatching_cases += r.outcome == Outcome::agree ? 0 : 1;
    const auto& s = k["stats"];
    if (!s.is_null()) {
      EXPECT_EQ(r.stats.finite_pairs, s["finite_pairs"].get<std::uint64_t>());
      EXPECT_EQ(r.stats.max_abs_error, number(s["max_abs"]));
      EXPECT_EQ(r.stats.max_rel_error, number(s["max_rel"]));
      EXPECT_EQ(r.stats.median_abs_error, number(s["median_abs"]));
      EXPECT_EQ(r.stats.median_rel_error, number(s["median_rel"]));
      expect_near(r.stats.mean_abs_error, number(s["mean_abs"]), 1e-12, "mean_abs");
      if (s.contains("cosine")) {
        ASSERT_TRUE(r.stats.cosine_similarity.has_value());
        expect_near(*r.stats.cosine_similarity, number(s["cosine"]), 1e-12, "cosine");
      }
    }
    ++checked;
  }
  EXPECT_GE(checked, 3000U);
  // The generator puts values on both sides of the boundary: both verdicts occur often.
  EXPECT_GT(mismatching_cases, checked / 10);
  EXPECT_LT(mismatching_cases, checked * 9 / 10);
}

TEST(CompareDifferential, PolygraphyElemwiseVerdicts) {
  const auto* c = corpus();
  if (c == nullptr) {
    GTEST_SKIP() << "no cases";
  }
  std::size_t checked = 0;
  for (const auto& k : c->cases) {
    if (!k.contains("polygraphy_pass")) {
      continue;
    }
    SCOPED_TRACE("case " + std::to_string(k["id"].get<int>()) + " " +
                 k["a_dtype"].get<std::string>() + " vs " + k["b_dtype"].get<std::string>());
    const auto [a, b] = pair_of(*c, k);
    Options o;
    o.semantics = Semantics::polygraphy;
    o.tolerance = Tolerance{k["rtol"].get<double>(), k["atol"].get<double>(), EqualNan::no};
    const auto r = compare_tensors(a, b, o);
    EXPECT_EQ(r.outcome == Outcome::agree, k["polygraphy_pass"].get<bool>());
    ++checked;
  }
  EXPECT_GT(checked, 1500U);
}

TEST(CompareDifferential, TorchIscloseWithGivenAndDefaultTolerances) {
  const auto* c = corpus();
  if (c == nullptr || c->torch_cases.is_null()) {
    GTEST_SKIP() << "no torch cases: the real-wheel venv has no torch";
  }
  std::map<int, const nlohmann::json*> by_id;
  for (const auto& k : c->cases) {
    by_id[k["id"].get<int>()] = &k;
  }
  std::size_t checked = 0;
  for (const auto& t : c->torch_cases) {
    const auto& k = *by_id.at(t["id"].get<int>());
    SCOPED_TRACE("case " + std::to_string(k["id"].get<int>()) + " " +
                 k["a_dtype"].get<std::string>() + " vs " + k["b_dtype"].get<std::string>());
    const auto [a, b] = pair_of(*c, k);
    Options o;
    o.semantics = Semantics::torch;
    o.tolerance = Tolerance{k["rtol"].get<double>(), k["atol"].get<double>(),
                            k["equal_nan"].get<bool>() ? EqualNan::yes : EqualNan::no};
    EXPECT_EQ(mask_text(close_mask(a, b, o)), t["mask"].get<std::string>());
    EXPECT_EQ(compare_tensors(a, b, o).stats.mismatches, zeros(t["mask"].get<std::string>()));
    const auto d = default_tolerance(Semantics::torch, a.dtype, b.dtype);
    EXPECT_EQ(d.rtol, t["default_rtol"].get<double>());
    EXPECT_EQ(d.atol, t["default_atol"].get<double>());
    o.tolerance.reset();
    EXPECT_EQ(mask_text(close_mask(a, b, o)), t["default_mask"].get<std::string>());
    EXPECT_EQ(compare_tensors(a, b, o).stats.mismatches, zeros(t["default_mask"].get<std::string>()));
    ++checked;
  }
  EXPECT_GT(checked, 1000U);
}

}  // namespace
}  // namespace mlstack::compare
