// SPDX-License-Identifier: MIT
#include "mlstack/compare/report.hpp"

#include "mlstack/base/text.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>
#include <set>
#include <string_view>

namespace mlstack::compare {

using tensors::TensorFile;
using tensors::TensorView;

Result<Pairing> pair_tensors(const TensorFile& a, const TensorFile& b,
                             const std::vector<std::pair<std::string, std::string>>& map) {
  Pairing p;
  std::set<std::size_t> used_a;
  std::set<std::size_t> used_b;
  auto index_of = [](const TensorFile& f, std::string_view name) -> std::optional<std::size_t> {
    for (std::size_t i = 0; i < f.tensors.size(); ++i) {
      if (f.tensors[i].name == name) {
        return i;
      }
    }
    return std::nullopt;
  };
  for (const auto& [na, nb] : map) {
    const auto ia = index_of(a, na);
    const auto ib = index_of(b, nb);
    if (!ia || !ib) {
      const auto& [file, name] = !ia ? std::pair(a.path, na) : std::pair(b.path, nb);
      return unexpected(with_context(
          make_error(ErrorCode::not_found,
                     fmt::format("`--map {}={}`: no tensor `{}` here", text::escape_controls(na),
                                 text::escape_controls(nb), text::escape_controls(name))),
          file));
    }
    p.pairs.emplace_back(*ia, *ib);
    used_a.insert(*ia);
    used_b.insert(*ib);
  }
  std::vector<std::size_t> left_a;
  std::vector<std::size_t> left_b;
  for (std::size_t i = 0; i < a.tensors.size(); ++i) {
    if (!used_a.contains(i)) {
      left_a.push_back(i);
    }
  }
  for (std::size_t i = 0; i < b.tensors.size(); ++i) {
    if (!used_b.contains(i)) {
      left_b.push_back(i);
    }
  }
  if (left_a.size() == 1 && left_b.size() == 1) {
    p.pairs.emplace_back(left_a[0], left_b[0]);
    return p;
  }
  for (const auto ia : left_a) {
    bool found = false;
    for (const auto ib : left_b) {
      if (!used_b.contains(ib) && b.tensors[ib].name == a.tensors[ia].name) {
        p.pairs.emplace_back(ia, ib);
        used_b.insert(ib);
        found = true;
        break;
      }
    }
    if (!found) {
      p.missing_in_b.push_back(ia);
    }
  }
  for (const auto ib : left_b) {
    if (!used_b.contains(ib)) {
      p.extra_in_b.push_back(ib);
    }
  }
  return p;
}

namespace {

// One `--rtol` / `--atol` argument list: the default (an empty name) and the values by name.
struct ParsedTolerances {
  std::optional<double> fallback;
  std::map<std::string, double> by_name;
  std::map<std::string, std::string> given;  // name -> the argument, for messages
};

Result<ParsedTolerances> parse_tolerances(std::string_view option,
                                          const std::vector<std::string>& values) {
  ParsedTolerances out;
  for (const auto& arg : values) {
    // Polygraphy's `arg.rpartition(":")`: the name is all before the last `:`.
    const auto colon = arg.rfind(':');
    const std::string name = colon == std::string::npos ? std::string() : arg.substr(0, colon);
    const std::string_view text =
        colon == std::string::npos ? std::string_view(arg) : std::string_view(arg).substr(colon + 1);
    double v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
        !std::isfinite(v) || v < 0) {
      return unexpected(make_error(
          ErrorCode::parse,
          fmt::format("expected `{} [NAME:]VALUE` with VALUE a number >= 0, found `{}`", option,
                      text::escape_controls(arg))));
    }
    if (name.empty()) {
      out.fallback = v;
    } else {
      out.by_name[name] = v;
      out.given[name] = arg;
    }
  }
  return out;
}

}  // namespace

Result<std::map<std::string, Tolerance>> resolve_tolerances(const ToleranceArgs& args,
                                                            Semantics semantics,
                                                            const TensorFile& a,
                                                            const TensorFile& b,
                                                            const Pairing& pairing) {
  std::map<std::string, Tolerance> out;
  MLSTACK_TRY_ASSIGN(const auto rtol, parse_tolerances("--rtol", args.rtol));
  MLSTACK_TRY_ASSIGN(const auto atol, parse_tolerances("--atol", args.atol));
  for (const auto& [option, parsed] :
       {std::pair<std::string_view, const ParsedTolerances*>{"--rtol", &rtol},
        std::pair<std::string_view, const ParsedTolerances*>{"--atol", &atol}}) {
    for (const auto& [name, arg] : parsed->given) {
      if (a.find(name) != nullptr) {
        continue;
      }
      // B's name for a paired tensor: say which name of A to use instead.
      std::string hint;
      for (const auto& [ia, ib] : pairing.pairs) {
        if (b.tensors[ib].name == name) {
          hint = fmt::format(" (tolerances name the first file's tensors: use `{}`, paired with `{}`)",
                             text::escape_controls(a.tensors[ia].name),
                             text::escape_controls(name));
          break;
        }
      }
      return unexpected(with_context(
          make_error(ErrorCode::not_found,
                     fmt::format("`{} {}`: no tensor `{}` here{}", option,
                                 text::escape_controls(arg), text::escape_controls(name), hint)),
          a.path));
    }
  }
  if (args.rtol.empty() && args.atol.empty() && !args.equal_nan) {
    return out;
  }
  for (const auto& [ia, ib] : pairing.pairs) {
    const auto& ta = a.tensors[ia];
    auto t = default_tolerance(semantics, ta.dtype, b.tensors[ib].dtype);
    auto pick = [&](const ParsedTolerances& p, double fallback) {
      if (const auto it = p.by_name.find(ta.name); it != p.by_name.end()) {
        return it->second;
      }
      return p.fallback.value_or(fallback);
    };
    t.rtol = pick(rtol, t.rtol);
    t.atol = pick(atol, t.atol);
    t.equal_nan = args.equal_nan ? EqualNan::yes : EqualNan::no;
    out[ta.name] = t;
  }
  return out;
}

bool FileComparison::agree() const noexcept {
  if (!missing_in_b.empty() || !extra_in_b.empty()) {
    return false;
  }
  for (const auto& p : pairs) {
    if (p.result.outcome != Outcome::agree) {
      return false;
    }
  }
  return true;
}

FileComparison compare_files(const TensorFile& a, const TensorFile& b, const Pairing& pairing,
                             const Options& options,
                             const std::map<std::string, Tolerance>& overrides) {
  FileComparison c;
  c.path_a = a.path;
  c.path_b = b.path;
  c.semantics = options.semantics;
  // All pairs at once: many small tensors share the threads as one large one does.
  std::vector<PairToCompare> todo;
  for (const auto& [ia, ib] : pairing.pairs) {
    const TensorView& ta = a.tensors[ia];
    Options o = options;
    if (const auto it = overrides.find(ta.name); it != overrides.end()) {
      o.tolerance = it->second;
    }
    todo.push_back({&ta, &b.tensors[ib], o});
  }
  auto results = compare_many(todo, options.threads);
  for (std::size_t i = 0; i < todo.size(); ++i) {
    c.pairs.push_back({todo[i].a, todo[i].b, std::move(results[i])});
  }
  for (const auto i : pairing.missing_in_b) {
    c.missing_in_b.push_back(a.tensors[i].name);
  }
  for (const auto i : pairing.extra_in_b) {
    c.extra_in_b.push_back(b.tensors[i].name);
  }
  return c;
}

std::string_view semantics_name(Semantics s) noexcept {
  switch (s) {
    case Semantics::numpy: return "numpy";
    case Semantics::torch: return "torch";
    case Semantics::polygraphy: return "polygraphy";
  }
  return "?";
}

namespace {

std::string_view formula(Semantics s) {
  switch (s) {
    case Semantics::numpy: return "numpy.isclose: |a - b| <= atol + rtol * |b|";
    case Semantics::torch: return "torch.testing.assert_close: |a - b| <= atol + rtol * |b|";
    case Semantics::polygraphy:
      return "polygraphy elemwise: fails when |a - b| > atol and |a - b| / |b| > rtol";
  }
  return "";
}

std::string pair_name(const PairComparison& p) {
  const auto a = text::escape_controls(p.a->name);
  const auto b = text::escape_controls(p.b->name);
  return a == b ? a : fmt::format("{} ~ {}", a, b);
}

std::string kind(const TensorView& t) {
  return fmt::format("{} {}", tensors::dtype_name(t.dtype), tensors::format_shape(t.shape));
}

std::string coordinate(const std::vector<std::uint64_t>& index) {
  return fmt::format("[{}]", fmt::join(index, ", "));
}

std::string percent(double fraction) { return fmt::format("{:.4g}%", fraction * 100); }

}  // namespace

std::string render_text(const FileComparison& c) {
  std::string out = fmt::format("compare {} {}\n  rule: {}\n", text::escape_controls(c.path_a),
                                text::escape_controls(c.path_b), formula(c.semantics));
  std::size_t agree = 0;
  for (const auto& p : c.pairs) {
    const auto& r = p.result;
    const auto& s = r.stats;
    if (r.outcome == Outcome::shape_differs) {
      out += fmt::format("\n{}: SHAPE DIFFERS: {} vs {} (no broadcasting)\n", pair_name(p),
                         kind(*p.a), kind(*p.b));
      continue;
    }
    agree += r.outcome == Outcome::agree ? 1 : 0;
    out += fmt::format("\n{}: {}  {}{}  rtol {:g} atol {:g}{}\n", pair_name(p),
                       r.outcome == Outcome::agree ? "ok" : "VALUES DIFFER", kind(*p.a),
                       r.dtype_differs ? fmt::format(" vs {}", tensors::dtype_name(p.b->dtype))
                                       : "",
                       r.tolerance.rtol, r.tolerance.atol,
                       r.tolerance.equal_nan == EqualNan::yes ? " equal_nan" : "");
    out += fmt::format("  out of tolerance  {} of {} ({})\n", s.mismatches, s.elements,
                       percent(s.mismatch_fraction));
    if (s.nan_mismatches > 0 || s.inf_mismatches > 0) {
      out += fmt::format("  NaN mismatches    {}\n  Inf mismatches    {}\n", s.nan_mismatches,
                         s.inf_mismatches);
    }
    if (s.finite_pairs > 0) {
      out += fmt::format("  abs error         max {:.6g}  mean {:.6g}  median {:.6g}\n",
                         s.max_abs_error, s.mean_abs_error, s.median_abs_error);
      out += fmt::format("  rel error         max {:.6g}  mean {:.6g}  median {:.6g}\n",
                         s.max_rel_error, s.mean_rel_error, s.median_rel_error);
    }
    if (s.cosine_similarity) {
      out += fmt::format("  cosine similarity {:.9f}\n", *s.cosine_similarity);
    }
    if (s.worst_index) {
      out += fmt::format("  worst             {}: {:.9g} vs {:.9g}\n", coordinate(*s.worst_index),
                         s.worst_a, s.worst_b);
    }
    if (r.outcome != Outcome::agree && s.finite_pairs > 0) {
      out += "  abs error histogram\n";
      for (std::size_t bin = 0; bin < k_histogram_bins; ++bin) {
        if (s.histogram[bin] > 0) {
          out += fmt::format("    {:<14} {}\n", histogram_label(bin), s.histogram[bin]);
        }
      }
    }
  }
  for (const auto& n : c.missing_in_b) {
    out += fmt::format("\n{}: MISSING in {}\n", text::escape_controls(n),
                       text::escape_controls(c.path_b));
  }
  for (const auto& n : c.extra_in_b) {
    out += fmt::format("\n{}: EXTRA in {} (not in {})\n", text::escape_controls(n),
                       text::escape_controls(c.path_b), text::escape_controls(c.path_a));
  }
  const std::size_t total = c.pairs.size() + c.missing_in_b.size() + c.extra_in_b.size();
  out += fmt::format("\n{}: {} of {} tensors agree\n", c.agree() ? "agree" : "DIFFER", agree,
                     total);
  return out;
}

namespace {

nlohmann::ordered_json number(double v) {
  return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr);
}

}  // namespace

std::string render_json(const FileComparison& c) {
  using nlohmann::ordered_json;
  ordered_json doc;
  doc["schema"] = "mlstack.compare/1";
  doc["a"] = c.path_a;
  doc["b"] = c.path_b;
  doc["semantics"] = semantics_name(c.semantics);
  doc["agree"] = c.agree();
  ordered_json list = ordered_json::array();
  for (const auto& p : c.pairs) {
    const auto& r = p.result;
    const auto& s = r.stats;
    ordered_json t;
    t["a"] = p.a->name;
    t["b"] = p.b->name;
    t["outcome"] = r.outcome == Outcome::agree          ? "agree"
                   : r.outcome == Outcome::values_differ ? "values_differ"
                                                         : "shape_differs";
    t["dtype_a"] = tensors::dtype_name(p.a->dtype);
    t["dtype_b"] = tensors::dtype_name(p.b->dtype);
    t["shape_a"] = p.a->shape;
    t["shape_b"] = p.b->shape;
    t["rtol"] = r.tolerance.rtol;
    t["atol"] = r.tolerance.atol;
    t["equal_nan"] = r.tolerance.equal_nan == EqualNan::yes;
    t["compute_dtype"] = tensors::dtype_name(r.compute_dtype);
    if (r.outcome != Outcome::shape_differs) {
      t["elements"] = s.elements;
      t["mismatches"] = s.mismatches;
      t["mismatch_fraction"] = number(s.mismatch_fraction);
      t["nan_mismatches"] = s.nan_mismatches;
      t["inf_mismatches"] = s.inf_mismatches;
      t["finite_pairs"] = s.finite_pairs;
      t["max_abs_error"] = number(s.max_abs_error);
      t["mean_abs_error"] = number(s.mean_abs_error);
      t["median_abs_error"] = number(s.median_abs_error);
      t["max_rel_error"] = number(s.max_rel_error);
      t["mean_rel_error"] = number(s.mean_rel_error);
      t["median_rel_error"] = number(s.median_rel_error);
      t["cosine_similarity"] =
          s.cosine_similarity ? number(*s.cosine_similarity) : ordered_json(nullptr);
      t["worst"] = s.worst_index ? ordered_json{{"index", *s.worst_index},
                                                {"a", number(s.worst_a)},
                                                {"b", number(s.worst_b)}}
                                 : ordered_json(nullptr);
      ordered_json hist = ordered_json::array();
      for (std::size_t bin = 0; bin < k_histogram_bins; ++bin) {
        hist.push_back({{"bin", histogram_label(bin)}, {"count", s.histogram[bin]}});
      }
      t["abs_error_histogram"] = hist;
    }
    list.push_back(std::move(t));
  }
  doc["tensors"] = list;
  doc["missing_in_b"] = c.missing_in_b;
  doc["extra_in_b"] = c.extra_in_b;
  return doc.dump(2, ' ', false, ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace mlstack::compare
