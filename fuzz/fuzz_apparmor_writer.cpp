// Fuzz target: observed file names and subjects are chosen by the workload, so whatever bytes
// they hold, analyze() + write_apparmor() must not crash and every rule must stay one
// well-formed line (a name must never end a rule early or start another one).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/analyzer.h"
#include "emitter/writers.h"

namespace {

constexpr armorer::ObsKind kKinds[] = {
    armorer::ObsKind::file,    armorer::ObsKind::exec,    armorer::ObsKind::capability,
    armorer::ObsKind::network, armorer::ObsKind::signal,  armorer::ObsKind::ptrace,
    armorer::ObsKind::mount,   armorer::ObsKind::unix_socket};

// Input: records separated by '\n'. Each record: a kind byte, two access bytes, a flags byte,
// then "SUBJECT\tOBJECT" (without a tab the subject is a fixed executable).
std::vector<armorer::Observation> observations_from(std::string_view input) {
  std::vector<armorer::Observation> out;
  while (!input.empty() && out.size() < 64) {
    const size_t end = input.find('\n');
    std::string_view record = input.substr(0, end);
    input = end == std::string_view::npos ? std::string_view{} : input.substr(end + 1);
    if (record.size() < 5) continue;
    armorer::Observation obs;
    const auto byte = [&](size_t i) { return static_cast<unsigned char>(record[i]); };
    obs.kind = kKinds[byte(0) % std::size(kKinds)];
    obs.access = (byte(1) | byte(2) << 8) & armorer::access::all;
    obs.flags = byte(3) & 0x3f;
    record.remove_prefix(4);
    const size_t tab = record.find('\t');
    obs.subject = tab == std::string_view::npos ? "/usr/bin/fuzzed" : std::string(record.substr(0, tab));
    obs.object = std::string(tab == std::string_view::npos ? record : record.substr(tab + 1));
    if (obs.kind != armorer::ObsKind::file && obs.kind != armorer::ObsKind::exec) obs.access = 0;
    obs.count = 1 + byte(0) / 16;
    out.push_back(std::move(obs));
  }
  return out;
}

// Every line is a comment, an include, a rule ending in ',', or the one profile's opening or
// closing brace: a hostile name can neither end a rule early nor open a block of its own.
bool well_formed(const std::string& profile) {
  std::istringstream lines(profile);
  std::string line;
  int blocks_opened = 0, blocks_closed = 0;
  while (std::getline(lines, line)) {
    const size_t first = line.find_first_not_of(' ');
    if (first == std::string::npos) continue;
    const std::string_view text = std::string_view(line).substr(first);
    if (text.find('\r') != std::string_view::npos || text.find('\0') != std::string_view::npos)
      return false;
    if (text.front() == '#') continue;
    if (text.starts_with("include <")) {  // may carry a comment: "include <x>  # why"
      const std::string_view rest = text.substr(text.find('>') + 1);
      if (text.find('>') == std::string_view::npos || !(rest.empty() || rest.starts_with("  #")))
        return false;
      continue;
    }
    if (text == "}") ++blocks_closed;
    else if (text.back() == '{') ++blocks_opened;
    else if (text.back() != ',') return false;
  }
  return blocks_opened == 1 && blocks_closed == 1;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto observations =
      observations_from(std::string_view(reinterpret_cast<const char*>(data), size));
  armorer::AnalyzerOptions options;
  const armorer::RuleSet rules = armorer::analyze("fuzzed", observations, options);
  for (bool explain : {false, true}) {
    const std::string profile = armorer::write_apparmor(rules, {.complain = false, .explain = explain});
    if (!well_formed(profile)) {
      std::fprintf(stderr, "malformed profile:\n%s\n", profile.c_str());  // for the crash report
      std::abort();
    }
  }
  return 0;
}
