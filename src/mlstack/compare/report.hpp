// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"
#include "mlstack/compare/compare.hpp"
#include "mlstack/tensors/tensor.hpp"

#include <map>
#include <string>
#include <utility>
#include <vector>

/// Two files' tensors paired and compared, rendered as text or `mlstack.compare/1` JSON (what
/// `mlstack compare A B` prints; the cli only parses options and prints these strings).
namespace mlstack::compare {

/// How tensors are paired: the explicit `map` pairs (`--map a=b`) first; then, when each file
/// has one tensor left, those two (single arrays named after their files); else by name.
/// A tensor of A with no partner is missing in B, one of B extra in B.
struct Pairing {
  std::vector<std::pair<std::size_t, std::size_t>> pairs;  // indexes into A's and B's tensors
  std::vector<std::size_t> missing_in_b;
  std::vector<std::size_t> extra_in_b;
};

/// An error (bad input: exit 2) when a `map` name is not in its file.
[[nodiscard]] Result<Pairing> pair_tensors(
    const tensors::TensorFile& a, const tensors::TensorFile& b,
    const std::vector<std::pair<std::string, std::string>>& map);

struct PairComparison {
  const tensors::TensorView* a = nullptr;
  const tensors::TensorView* b = nullptr;
  TensorComparison result;
};

struct FileComparison {
  std::string path_a;
  std::string path_b;
  Semantics semantics = Semantics::numpy;
  std::vector<PairComparison> pairs;
  std::vector<std::string> missing_in_b;
  std::vector<std::string> extra_in_b;

  /// Every pair agrees and no tensor is missing or extra.
  [[nodiscard]] bool agree() const noexcept;
};

/// `--rtol` and `--atol` as given on the command line, in Polygraphy's syntax
/// (`polygraphy run --rtol [<out_name>:]<rtol>`; polygraphy/tools/args/comparator/compare.py,
/// `parse_dict_with_default` in tools/args/util): each value is `[NAME:]VALUE`, split at the
/// last `:` (a name may hold `:`, as TensorFlow's `logits:0`); without a name (or with an
/// empty one) it is the default for every tensor, with one it is for the tensor of A (the
/// first file) of that name, whatever `--map` pairs it with. A later value for the same name
/// (or the default) replaces an earlier one. `equal_nan` applies to every tensor.
struct ToleranceArgs {
  std::vector<std::string> rtol;
  std::vector<std::string> atol;
  bool equal_nan = false;
};

/// The tolerance of each pair, keyed by A's tensor name (what `compare_files` takes): the
/// rule's default for the pair's dtypes (`default_tolerance`), its `rtol` and `atol` replaced
/// by the tensor's own value, else the given default. Empty when nothing was given (every
/// pair takes the rule's default). An error (bad input: exit 2) when a value is not a finite
/// number >= 0, or a name is not a tensor of A (the message says when it is B's name for a
/// paired tensor).
[[nodiscard]] Result<std::map<std::string, Tolerance>> resolve_tolerances(
    const ToleranceArgs& args, Semantics semantics, const tensors::TensorFile& a,
    const tensors::TensorFile& b, const Pairing& pairing);

/// `options` for every pair, `overrides` (by A's tensor name) for some.
[[nodiscard]] FileComparison compare_files(const tensors::TensorFile& a,
                                           const tensors::TensorFile& b, const Pairing& pairing,
                                           const Options& options,
                                           const std::map<std::string, Tolerance>& overrides = {});

[[nodiscard]] std::string_view semantics_name(Semantics s) noexcept;

/// The terminal report: one block per pair (verdict, dtype and shape, the errors, the worst
/// element, the error histogram when values differ), the missing and extra tensors, a summary.
[[nodiscard]] std::string render_text(const FileComparison& c);

/// `mlstack.compare/1` (docs/compare.md): non-finite numbers are written as `null`.
[[nodiscard]] std::string render_json(const FileComparison& c);

}  // namespace mlstack::compare
