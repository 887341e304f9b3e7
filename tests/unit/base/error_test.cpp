// SPDX-License-Identifier: MIT
#include "mlstack/base/error.hpp"

#include <gtest/gtest.h>

#include "mlstack/base/result.hpp"

namespace mlstack {
namespace {

TEST(ErrorRender, DrawsCaretUnderSpan) {
  const Error e = with_context(
      make_parse_error("expected version after `>=`, found `;`", "torch>=; x", 7), "METADATA:3");
  EXPECT_EQ(render(e),
            "METADATA:3: expected version after `>=`, found `;`\n"
            "    torch>=; x\n"
            "           ^");
}

TEST(ErrorContext, ListsOutermostFirst) {
  Error e = make_error(ErrorCode::io, "permission denied");
  e = with_context(std::move(e), "METADATA");
  e = with_context(std::move(e), "/site/foo-1.0.dist-info");
  EXPECT_EQ(to_string(e), "/site/foo-1.0.dist-info: METADATA: permission denied");
}

Result<int> half(int x) {
  if (x % 2 != 0) {
    return unexpected(make_error(ErrorCode::invalid_data, "odd"));
  }
  return x / 2;
}

Result<int> quarter(int x) {
  MLSTACK_TRY_ASSIGN(const int h, half(x));
  MLSTACK_TRY_ASSIGN(const int q, half(h));
  return q;
}

TEST(ResultTryAssign, PropagatesFirstError) {
  EXPECT_EQ(quarter(8).value(), 2);
  const auto r = quarter(6);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "odd");
}

}  // namespace
}  // namespace mlstack
