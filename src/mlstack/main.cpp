// SPDX-License-Identifier: MIT
#include "mlstack/cli/run.hpp"

int main(int argc, char** argv) { return mlstack::cli::run(argc, argv); }
