#include "recorder/libbpf_log.h"

#include <bpf/libbpf.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace armorer::libbpf_log {

namespace {

// The current load attempt's lines (a verifier log comes as one message: it is split).
std::vector<std::string> g_lines;

int keep(enum libbpf_print_level level, const char* format, va_list args) {
  static const bool pass_through = std::getenv("ARMORER_BPF_LOG") != nullptr;
  if (pass_through) {
    va_list copy;
    va_copy(copy, args);
    std::vfprintf(stderr, format, copy);
    va_end(copy);
  }
  if (level == LIBBPF_DEBUG) return 0;
  va_list measure;
  va_copy(measure, args);
  int n = vsnprintf(nullptr, 0, format, measure);
  va_end(measure);
  if (n <= 0) return 0;
  std::string text(static_cast<size_t>(n) + 1, '\0');
  vsnprintf(text.data(), text.size(), format, args);
  text.resize(static_cast<size_t>(n));
  size_t start = 0;
  while (start < text.size() && g_lines.size() < 8192) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (line.rfind("libbpf: ", 0) == 0) line.erase(0, 8);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    if (!line.empty()) g_lines.push_back(std::move(line));
    start = end + 1;
  }
  return 0;
}

}  // namespace

void capture() { libbpf_set_print(keep); }

void clear() { g_lines.clear(); }

std::string last_message() {
  for (auto it = g_lines.rbegin(); it != g_lines.rend(); ++it)
    if (it->rfind("prog '", 0) == 0 || it->find("failed") != std::string::npos) return *it;
  return g_lines.empty() ? std::string() : g_lines.back();
}

std::pair<std::string, std::string> refused_program() { return refusal_in(g_lines); }

std::pair<std::string, std::string> refusal_in(const std::vector<std::string>& lines) {
  std::string program, reason, verifier_line;
  bool in_log = false;
  for (const std::string& line : lines) {
    if (line.find("-- BEGIN PROG LOAD LOG --") != std::string::npos) {
      in_log = true;
    } else if (line.find("-- END PROG LOAD LOG --") != std::string::npos) {
      in_log = false;
    } else if (in_log) {
      if (line.rfind("processed ", 0) != 0) verifier_line = line;
    } else if (program.empty() && line.rfind("prog '", 0) == 0) {
      size_t end = line.find("': ", 6);
      if (end != std::string::npos && line.find("fail", end) != std::string::npos) {
        program = line.substr(6, end - 6);
        reason = line.substr(end + 3);
      }
    }
  }
  if (!program.empty() && !verifier_line.empty()) reason += " (verifier: " + verifier_line + ")";
  return {program, reason};
}

}  // namespace armorer::libbpf_log
