// SPDX-License-Identifier: MIT
// Loaded by the fake `torch` of runner_test: it must show up in what the probe saw mapped.
extern "C" int mlstack_probe_fake_lib_value() { return 42; }
