// SPDX-License-Identifier: MIT
#include "mlstack/probe/interpret.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <iterator>
#include <string_view>

namespace mlstack::probe {
namespace {

using nlohmann::json;

std::string text_field(const json& record, const char* key) {
  const auto it = record.find(key);
  return it != record.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::vector<std::string> list_field(const json& record, const char* key) {
  std::vector<std::string> out;
  const auto it = record.find(key);
  if (it == record.end() || !it->is_array()) {
    return out;
  }
  for (const json& item : *it) {
    if (item.is_string()) {
      out.push_back(item.get<std::string>());
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// What `after` has and `before` has not (both sorted).
std::vector<std::string> added(const std::vector<std::string>& before,
                               const std::vector<std::string>& after) {
  std::vector<std::string> out;
  std::set_difference(after.begin(), after.end(), before.begin(), before.end(),
                      std::back_inserter(out));
  return out;
}

// What the answer said, record by record.
struct Answer {
  facts::ProbeResult result;
  std::vector<std::string> last_mapped;  // after the last import that answered
  bool import_failed = false;
  bool imports_done = false;  // every import answered `ok`
  bool done = false;          // the final record
  bool malformed = false;     // a record that is not JSON (cut short by the end)
};

void read_record(const json& record, Answer& a) {
  const std::string event = text_field(record, "event");
  facts::ProbeResult& r = a.result;
  if (event == "baseline") {
    r.baseline = list_field(record, "mapped");
    a.last_mapped = r.baseline;
  } else if (event == "start") {
    facts::ProbeImport i;
    i.framework = text_field(record, "framework");
    r.imports.push_back(std::move(i));
  } else if (event == "import" && !r.imports.empty()) {
    facts::ProbeImport& i = r.imports.back();
    const auto ok = record.find("ok");
    const bool succeeded = ok != record.end() && ok->is_boolean() && ok->get<bool>();
    i.status = succeeded ? "ok" : "import-error";
    if (const auto s = record.find("import_s"); s != record.end() && s->is_number()) {
      i.import_s = std::max(0.0, s->get<double>());
    }
    i.version = text_field(record, "version");
    i.error = text_field(record, "error");
    std::vector<std::string> now = list_field(record, "mapped");
    i.mapped_new = added(a.last_mapped, now);
    a.last_mapped = now;
    r.mapped = std::move(now);
    if (!i.version.empty()) {
      r.versions[i.framework] = i.version;
    }
    if (!succeeded) {
      a.import_failed = true;
      r.error = fmt::format("{}: {}", i.framework, i.error.empty() ? "import failed" : i.error);
    }
  } else if (event == "devices") {
    const std::string framework = text_field(record, "framework");
    if (const auto d = record.find("devices"); d != record.end() && d->is_array()) {
      std::vector<std::string> devices;
      for (const json& item : *d) {
        if (item.is_string()) {
          devices.push_back(item.get<std::string>());
        }
      }
      r.devices[framework] = std::move(devices);
    }
    if (std::vector<std::string> b = list_field(record, "backends"); !b.empty()) {
      r.backends[framework] = std::move(b);
    }
    if (const auto n = record.find("notes"); n != record.end() && n->is_array()) {
      for (const json& item : *n) {
        if (item.is_string()) {
          r.notes.push_back(item.get<std::string>());
        }
      }
    }
  } else if (event == "done") {
    a.done = true;
    r.mapped_by_devices = added(r.mapped, list_field(record, "mapped"));
  }
}

Answer read_answer(const std::string& text) {
  Answer a;
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string::npos) {
      a.malformed = true;  // a record cut short: the process ended while writing it
      break;
    }
    json record = json::parse(text.begin() + static_cast<std::ptrdiff_t>(begin),
                              text.begin() + static_cast<std::ptrdiff_t>(end), nullptr,
                              /*allow_exceptions=*/false);
    if (record.is_object()) {
      read_record(record, a);
    } else {
      a.malformed = true;
    }
    begin = end + 1;
  }
  a.imports_done = !a.result.imports.empty() && !a.import_failed &&
                   std::all_of(a.result.imports.begin(), a.result.imports.end(),
                               [](const facts::ProbeImport& i) { return i.status == "ok"; });
  return a;
}

// Where the process was when it ended: `during the import of jax`, ...
std::string stage(const Answer& a, const std::vector<std::string>& order) {
  if (a.done) {
    return "after its answer, at interpreter exit";
  }
  if (!a.result.imports.empty() && a.result.imports.back().status.empty()) {
    return "during the import of " + a.result.imports.back().framework;
  }
  if (a.imports_done && a.result.imports.size() == order.size()) {
    return "while listing devices, after the imports";
  }
  if (a.import_failed) {
    return "after the failed import";
  }
  return "before the first import";
}

}  // namespace

std::string last_lines(const std::string& text, std::size_t lines) {
  constexpr std::size_t k_max_bytes = 4000;
  std::string_view rest(text);
  while (!rest.empty() && (rest.back() == '\n' || rest.back() == '\r')) {
    rest.remove_suffix(1);
  }
  if (lines == 0) {
    return {};
  }
  std::size_t begin = rest.size();
  std::size_t count = 0;
  while (begin > 0) {
    const std::size_t newline = rest.rfind('\n', begin - 1);
    if (newline == std::string_view::npos) {
      begin = 0;
      break;
    }
    if (++count == lines) {
      begin = newline + 1;
      break;
    }
    begin = newline;
  }
  std::string_view tail = rest.substr(begin);
  if (!tail.empty() && tail.front() == '\n') {
    tail.remove_prefix(1);
  }
  if (tail.size() > k_max_bytes) {
    tail.remove_prefix(tail.size() - k_max_bytes);
  }
  return std::string(tail);
}

std::string signal_name(int signal) {
  const char* abbrev = ::sigabbrev_np(signal);
  return abbrev != nullptr ? fmt::format("SIG{}", abbrev) : fmt::format("signal {}", signal);
}

facts::ProbeResult interpret_run(const std::vector<std::string>& order,
                                 const pyenv::ChildRun& run, double timeout_s) {
  Answer a = read_answer(run.answer);
  const std::string where = stage(a, order);
  facts::ProbeResult r = std::move(a.result);
  r.order = order;
  r.wall_s = run.wall_s;
  r.cpu_s = run.cpu_s;
  r.output_truncated = run.out.truncated() || run.err.truncated();
  switch (run.end) {
    case pyenv::ChildRun::End::timed_out:
      r.status = "timeout";
      r.error = fmt::format("no answer within {:g} s ({}); its process group was killed",
                            timeout_s, where);
      break;
    case pyenv::ChildRun::End::overflowed:
      r.status = "exit";
      r.exit_code = -1;
      r.error = fmt::format("its answer was too long ({}); stopped it", where);
      break;
    case pyenv::ChildRun::End::signaled:
      r.status = "crash";
      r.signal = run.signal;
      r.signal_name = signal_name(run.signal);
      r.exit_code = 128 + run.signal;
      r.error = fmt::format("killed by {} {}", r.signal_name, where);
      break;
    case pyenv::ChildRun::End::exited:
      r.exit_code = run.exit_code;
      if (a.import_failed) {
        r.status = "import-error";  // r.error: the exception
      } else if (a.done && run.exit_code == 0) {
        r.status = "ok";
      } else {
        r.status = "exit";
        r.error = fmt::format("exit status {} {}", run.exit_code,
                              a.done ? "at interpreter exit, after its answer" : where);
      }
      break;
  }
  if (!r.imports.empty() && r.imports.back().status.empty()) {
    r.imports.back().status = r.status;  // the import it ended in
  }
  if (a.malformed) {
    r.notes.emplace_back("its answer ended in the middle of a record");
  }
  if (run.output_held_open) {
    r.notes.emplace_back(
        "a process it started kept its output open after it exited (killed with its "
        "process group)");
  }
  if (r.status != "ok") {
    r.stderr_tail = last_lines(run.err.truncated() ? run.err.tail : run.err.text(),
                               k_stderr_tail_lines);
  }
  return r;
}

}  // namespace mlstack::probe
