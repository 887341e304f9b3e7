// SPDX-License-Identifier: MIT
// Writes the sample report (sample_report.hpp) as an HTML page to the file named by argv[1],
// for the browser test.
#include <fstream>
#include <iostream>

#include "html/sample_report.hpp"
#include "mlstack/html/html.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: html_sample OUT.html\n";
    return 2;
  }
  std::ofstream out(argv[1], std::ios::binary | std::ios::trunc);
  mlstack::html::render_html(mlstack::html::testing::sample_report(), out);
  return out.good() ? 0 : 1;
}
