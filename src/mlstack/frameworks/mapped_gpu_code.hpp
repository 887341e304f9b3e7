// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/facts/loader_facts.hpp"
#include "mlstack/frameworks/binary_reader.hpp"

namespace mlstack::frameworks {

/// Reads the fatbin index of every tracked CUDA library file (`MappedLibrary::library` set,
/// libstdc++ aside) that a scenario of `loader` maps, once per real path, through `reader`
/// (the cached reader in doctor): the ones with device code go into `loader.gpu_code`, for the
/// compute-capability check of what will really be mapped (LOAD-ARCH-MISSING); an unreadable
/// file is a sentence in `loader.problems`.
void add_mapped_gpu_code(const BinaryReader& reader, facts::LoaderFacts& loader);

}  // namespace mlstack::frameworks
