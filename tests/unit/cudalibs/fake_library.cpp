// SPDX-License-Identifier: MIT
// The body of a fake `libcudnn.so.9` (see CMakeLists.txt): one exported symbol.
extern "C" int mlstack_fake_cudnn_get_version() { return 91900; }  // NOLINT
