// SPDX-License-Identifier: MIT
#include "mlstack/launch/render.hpp"

#include <gtest/gtest.h>

namespace mlstack::launch {
namespace {

Plan sample() {
  Plan plan;
  plan.frameworks = {{"torch", "torch", "2.9.1"}};
  plan.settings = {{"PYTORCH_CUDA_ALLOC_CONF", "expandable_segments:True", "torch", "why", "row-id", false},
                   {"TF_FORCE_GPU_ALLOW_GROWTH", "it's \"$x\"\n", "tensorflow", "kept", "row-2", true},
                   {"MLSTACK_SHARE", "torch=0.3", "mlstack", "caps", "", false}};
  plan.notes = {"torch 2.9.1: a note"};
  plan.needs_shim = true;
  return plan;
}

TEST(Quote, ShellAndDockerfile) {
  EXPECT_EQ(sh_quote("a b"), "'a b'");
  EXPECT_EQ(sh_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(sh_quote(""), "''");
  EXPECT_EQ(dockerfile_quote("a \"$b\" \\c"), "\"a \\\"\\$b\\\" \\\\c\"");
}

TEST(RenderEnv, Shell) {
  EXPECT_EQ(render_env(sample(), {"/c/shim"}, EnvFormat::sh),
            "# mlstack run: torch 2.9.1\n"
            "# note: torch 2.9.1: a note\n"
            "# torch: why [row-id]\n"
            "export PYTORCH_CUDA_ALLOC_CONF='expandable_segments:True'\n"
            "# TF_FORCE_GPU_ALLOW_GROWTH is already set to 'it'\\''s \"$x\"\\n': kept [row-2]\n"
            "# mlstack: caps\n"
            "export MLSTACK_SHARE='torch=0.3'\n"
            "# mlstack: the sitecustomize shim that applies the torch/TensorFlow caps at import\n"
            "export PYTHONPATH='/c/shim'\"${PYTHONPATH:+:$PYTHONPATH}\"\n");
}

TEST(RenderEnv, Dockerfile) {
  EXPECT_EQ(render_env(sample(), {"/opt/mlstack/shim"}, EnvFormat::dockerfile),
            "# mlstack run: torch 2.9.1\n"
            "# note: torch 2.9.1: a note\n"
            "# torch: why [row-id]\n"
            "ENV PYTORCH_CUDA_ALLOC_CONF=\"expandable_segments:True\"\n"
            "# mlstack: caps\n"
            "ENV MLSTACK_SHARE=\"torch=0.3\"\n"
            "# mlstack: the sitecustomize shim that applies the torch/TensorFlow caps at import\n"
            "RUN [\"mlstack\", \"run\", \"--write-shim\", \"/opt/mlstack/shim\"]\n"
            "ENV PYTHONPATH=\"/opt/mlstack/shim${PYTHONPATH:+:$PYTHONPATH}\"\n");
}

TEST(RenderEnv, Json) {
  const std::string json = render_env(sample(), {""}, EnvFormat::json);
  EXPECT_NE(json.find("\"schema\": \"mlstack.run-env/1\""), std::string::npos);
  EXPECT_NE(json.find("\"action\": \"kept\""), std::string::npos);
  EXPECT_NE(json.find("\"shim_dir\": null"), std::string::npos);
  EXPECT_NE(json.find("\"source\": null"), std::string::npos);
}

}  // namespace
}  // namespace mlstack::launch
