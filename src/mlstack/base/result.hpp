// SPDX-License-Identifier: MIT
#pragma once

#include <utility>
#include <optional>
#include <variant>

#include "mlstack/base/assert.hpp"
#include "mlstack/base/error.hpp"

namespace mlstack {

/// The error half of a `Result`, built with `unexpected(error)`.
/// Mirrors `std::unexpected` so the code moves to `std::expected` on C++23 by a rename.
template <class E>
class Unexpected {
 public:
  explicit Unexpected(E e) : m_error(std::move(e)) {}
  [[nodiscard]] E& error() & { return m_error; }
  [[nodiscard]] E&& error() && { return std::move(m_error); }

 private:
  E m_error;
};

template <class E>
[[nodiscard]] Unexpected<E> unexpected(E e) {
  return Unexpected<E>(std::move(e));
}

/// A value or an `Error`: the return type of everything that can fail on input.
// Debian 12 packages no tl::expected and g++ 12 offers std::expected only in C++23 mode, so
// this is the smallest subset of std::expected that the code base uses.
template <class T>
class [[nodiscard]] Result {
 public:
  using value_type = T;

  Result(T value) : m_data(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit
  template <class E>
  Result(Unexpected<E> e)  // NOLINT: implicit, as std::expected
      : m_data(std::in_place_index<1>, Error(std::move(e).error())) {}

  [[nodiscard]] bool has_value() const noexcept { return m_data.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  [[nodiscard]] T& value() & {
    MLSTACK_ASSERT(has_value());
    return std::get<0>(m_data);
  }
  [[nodiscard]] const T& value() const& {
    MLSTACK_ASSERT(has_value());
    return std::get<0>(m_data);
  }
  [[nodiscard]] T&& value() && {
    MLSTACK_ASSERT(has_value());
    return std::get<0>(std::move(m_data));
  }
  [[nodiscard]] Error& error() & {
    MLSTACK_ASSERT(!has_value());
    return std::get<1>(m_data);
  }
  [[nodiscard]] const Error& error() const& {
    MLSTACK_ASSERT(!has_value());
    return std::get<1>(m_data);
  }
  [[nodiscard]] Error&& error() && {
    MLSTACK_ASSERT(!has_value());
    return std::get<1>(std::move(m_data));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  template <class U>
  [[nodiscard]] T value_or(U&& fallback) const& {
    return has_value() ? std::get<0>(m_data) : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  std::variant<T, Error> m_data;
};

/// `Result<void>`: success or an `Error`.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  template <class E>
  Result(Unexpected<E> e) : m_error(Error(std::move(e).error())) {}  // NOLINT: implicit

  [[nodiscard]] bool has_value() const noexcept { return !m_error.has_value(); }
  explicit operator bool() const noexcept { return has_value(); }
  [[nodiscard]] const Error& error() const& {
    MLSTACK_ASSERT(!has_value());
    return *m_error;
  }
  [[nodiscard]] Error&& error() && {
    MLSTACK_ASSERT(!has_value());
    return std::move(*m_error);
  }

 private:
  std::optional<Error> m_error;
};

}  // namespace mlstack

/// Assigns the value of a `Result` expression to `var`, or returns its error from the caller.
#define MLSTACK_TRY_ASSIGN(var, expr)                                 \
  auto MLSTACK_CONCAT(mlstack_try_, __LINE__) = (expr);               \
  if (!MLSTACK_CONCAT(mlstack_try_, __LINE__)) {                      \
    return ::mlstack::unexpected(                                     \
        std::move(MLSTACK_CONCAT(mlstack_try_, __LINE__)).error());   \
  }                                                                   \
  var = std::move(MLSTACK_CONCAT(mlstack_try_, __LINE__)).value()
#define MLSTACK_CONCAT_IMPL(a, b) a##b
#define MLSTACK_CONCAT(a, b) MLSTACK_CONCAT_IMPL(a, b)
