// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"
#include "mlstack/pep440/specifier.hpp"
#include "mlstack/pep440/version.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlstack::kb {

/// The static type of an expression in the rule language (docs/kb.md).
enum class Type : std::uint8_t { boolean, integer, string, version, list, none };

[[nodiscard]] std::string_view to_string(Type t) noexcept;

/// What a rule iterates over (`for_each`); each binding makes its names usable in `when`.
enum class Binding : std::uint8_t { framework, other, device, library };

/// The facts an expression can read (`framework.cuda`, `driver.version`, ...).
enum class Field : std::uint8_t {
  python_version,
  driver_present,
  driver_version,
  driver_cuda,
  fw_name,
  fw_distribution,
  fw_version,
  fw_cuda,
  fw_cuda_major,
  fw_cudnn,
  fw_cudnn_major,
  fw_nccl,
  fw_nccl_major,
  fw_gpu_build,
  fw_archs,
  fw_archs_source,
  fw_cudnn_package,
  fw_cuda_install,
  fw_libs_found,
  fw_libs_missing,
  fw_libs_fix,
  device_index,
  device_name,
  device_compute_capability,
  lib_name,
  lib_title,
  lib_major,
  lib_need,
  lib_how,
  lib_path,
  lib_version,
  lib_package,
  lib_cuda_major,
  lib_users,
  lib_fix,
  lib_soname,
  lib_linked_by,
};

/// The built-in functions. Each is a fact query or a table lookup; none is a rule.
enum class Function : std::uint8_t {
  installed,           // installed(name, ...) -> boolean: any of the distributions installed
  version,             // version(name, ...) -> version: of the first installed, else none
  major,               // major(version) -> integer
  minor,               // minor(version) -> integer: the second release number (0 when absent)
  major_minor,         // major_minor(version) -> version: the first two release numbers
  cuda_min_driver,     // cuda_min_driver(cuda) -> version: cuda.toml [[toolkit]]
  cuda_compat_driver,  // cuda_compat_driver(cuda) -> version: cuda.toml [[minor_version_compat]]
  cuda_min_cc,         // cuda_min_cc(cuda) -> version: cuda.toml [[arch_floor]]
  gpu_compute_capability,  // gpu_compute_capability(name) -> version: gpus.toml
  has_sass,                // has_sass(archs, cc) -> boolean: a cubin that runs on cc
  has_ptx,                 // has_ptx(archs, cc) -> boolean: PTX that can be JIT-compiled for cc
  library_found,           // library_found(name, major) -> boolean: BuildFacts.cuda_libraries
  library_version,         // library_version(name, major) -> version: the newest found
  gpu_build,               // gpu_build(framework_name) -> boolean: a GPU build of it is installed
  device_count,            // device_count() -> integer
  system_searched,         // system_searched() -> bool: system library folders were searched
  env,                     // env(name) -> string: the environment variable, none when unset
  compat_driver,           // compat_driver() -> version: the cuda-compat libcuda in the path
  data_center_gpus,        // data_center_gpus() -> boolean: every GPU is a data-center model
  gpu_segment,             // gpu_segment(name) -> string: gpus.toml `segment`
  build_with_arch,  // build_with_arch(framework, version, cc) -> string: frameworks.toml release
  build_with_sass,  // build_with_sass(framework, version, cc) -> string: the same, machine code
};

/// One node of a parsed expression. Spans are byte offsets into the expression text.
struct Node {
  enum class Kind : std::uint8_t {
    literal_string,
    literal_integer,
    literal_bool,
    literal_none,
    literal_list,
    field,
    call,
    logical_and,  // two or more children: `a and b and c` is one node
    logical_or,   // likewise
    logical_not,
    compare,
    in_specifiers,
    in_list,
    contains,
  };
  enum class Op : std::uint8_t { eq, ne, lt, le, gt, ge };

  Kind kind = Kind::literal_none;
  Type type = Type::none;
  std::size_t begin = 0;
  std::size_t length = 0;
  std::string text;               // string literal, or the call/field as written
  std::int64_t integer = 0;       // integer literal
  bool boolean = false;           // boolean literal
  std::vector<std::string> list;  // list literal
  Field field = Field::python_version;
  Function function = Function::installed;
  Op op = Op::eq;
  std::optional<pep440::Version> version;          // a string literal compared with a version
  std::optional<pep440::SpecifierSet> specifiers;  // right side of `version in "..."`
  std::vector<Node> children;
};

/// A boolean (or, in templates, any) expression of the KB rule language, such as
/// `installed("tensorflow") and version("protobuf") >= "4.21"`.
///
/// **Example**
/// ```
/// auto e = Expression::parse(R"(framework.cuda_major >= 13 and not framework.gpu_build)");
/// e->uses(Binding::framework)  // true
/// ```
class Expression {
 public:
  /// Parses and type-checks `text`. Errors carry a span into `text`.
  [[nodiscard]] static Result<Expression> parse(std::string_view text);

  [[nodiscard]] const std::string& text() const noexcept { return m_text; }
  [[nodiscard]] const Node& root() const noexcept { return *m_root; }
  [[nodiscard]] Type type() const noexcept { return m_root->type; }
  /// Whether a name of `b` (`framework.`, `other.`, `device.`, `library.`) occurs in the
  /// expression.
  [[nodiscard]] bool uses(Binding b) const noexcept;
  /// The first field of `b` in the expression (for error spans), or null.
  [[nodiscard]] const Node* first_use(Binding b) const noexcept;

 private:
  std::string m_text;
  std::shared_ptr<const Node> m_root;
};

/// Text with `{expression}` placeholders, such as `{framework.name} needs CUDA {framework.cuda}`.
/// `{{` and `}}` are literal braces.
class Template {
 public:
  struct Part {
    std::string text;  // literal text, used when `expression` is empty
    std::optional<Expression> expression;
  };
  [[nodiscard]] static Result<Template> parse(std::string_view text);
  [[nodiscard]] const std::vector<Part>& parts() const noexcept { return m_parts; }
  [[nodiscard]] bool uses(Binding b) const noexcept;

 private:
  std::vector<Part> m_parts;
};

}  // namespace mlstack::kb
