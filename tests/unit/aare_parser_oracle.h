// Test oracle: apparmor_parser itself. Compiles profiles offline with
// `-D rule-exprs -D dfa-states` and reads back, per profile, the AARE → regex line and the
// file DFA the parser built, so that tests can run paths through the parser's own automaton.
//
// The DFA dump (apparmor 3.0.8) lists every state that has transitions as "{N} perms: ..."
// followed by them, the perms of an accepting target shown after "-> {M}":
// "    <char> 0xHH -> {M}" for an explicit byte, "    [^<chars>] -> {M}" for the default
// transition taken by every byte not listed in <chars>. Explicit lines are exact; the <chars>
// list prints bytes as \xH (no leading zero), \a \t \n \f \r \e, backslash-escaped ` ()*+.[]|`,
// or raw, which is ambiguous only for a raw backslash and for \x1..\xf before a hex digit:
// pattern generators feeding patterns with a default transition avoid both.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace aare_oracle {

inline const char* kFeatures = "/usr/share/apparmor-features/features";

inline std::optional<std::string> parser_path() {
  for (const char* path : {"/usr/sbin/apparmor_parser", "/sbin/apparmor_parser"}) {
    if (access(path, X_OK) == 0 && access(kFeatures, R_OK) == 0) return std::string(path);
  }
  return std::nullopt;
}

class ParserDfa {
 public:
  struct State {
    bool accepting = false;
    std::map<unsigned char, int> explicit_next;
    int default_next = 0;  // 0: none
    std::set<unsigned char> default_excluded;
  };

  bool matches(std::string_view text) const {
    int state = 1;
    for (const char ch : text) {
      state = step(state, static_cast<unsigned char>(ch));
      if (state == 0) return false;
    }
    return accepting(state);
  }

  // A random accepted string (bytes 1..255), or nullopt when the DFA accepts nothing.
  std::optional<std::string> sample(std::mt19937& rng) const {
    const std::set<int> live = live_states();
    if (!live.count(1)) return std::nullopt;
    std::string out;
    int state = 1;
    for (int steps = 0; steps < 64; ++steps) {
      if (accepting(state) && (rng() % 4 == 0 || steps > 40)) return out;
      std::vector<std::pair<unsigned char, int>> moves;
      for (int c = 1; c < 256; ++c) {
        const int next = step(state, static_cast<unsigned char>(c));
        if (next && live.count(next)) moves.emplace_back(static_cast<unsigned char>(c), next);
      }
      if (moves.empty()) break;
      const auto [c, next] = moves[rng() % moves.size()];
      out += static_cast<char>(c);
      state = next;
    }
    return accepting(state) ? std::optional<std::string>(out) : std::nullopt;
  }

  // Every accepted string when the language is finite and small (no default transitions, no
  // cycles, at most `limit` strings); nullopt otherwise.
  std::optional<std::set<std::string>> finite_language(std::size_t limit = 16) const {
    std::set<std::string> out;
    std::vector<int> path_states;
    std::string prefix;
    bool finite = true;
    walk(1, prefix, path_states, out, finite, limit);
    if (!finite) return std::nullopt;
    return out;
  }

  std::map<int, State> states;

 private:
  bool accepting(int state) const {
    const auto it = states.find(state);
    return it != states.end() && it->second.accepting;
  }

  int step(int state, unsigned char c) const {
    const auto it = states.find(state);
    if (it == states.end()) return 0;
    const State& s = it->second;
    if (const auto e = s.explicit_next.find(c); e != s.explicit_next.end()) return e->second;
    if (s.default_next && !s.default_excluded.count(c)) return s.default_next;
    return 0;
  }

  std::set<int> live_states() const {
    std::set<int> live;
    for (const auto& [id, s] : states) {
      if (s.accepting) live.insert(id);
    }
    for (bool grew = true; grew;) {
      grew = false;
      for (const auto& [id, s] : states) {
        if (live.count(id)) continue;
        bool reaches = s.default_next && live.count(s.default_next);
        for (const auto& [c, next] : s.explicit_next) reaches = reaches || live.count(next);
        if (reaches) grew = live.insert(id).second || grew;
      }
    }
    return live;
  }

  void walk(int state, std::string& prefix, std::vector<int>& on_path, std::set<std::string>& out,
            bool& finite, std::size_t limit) const {
    if (!finite) return;
    for (const int seen : on_path) {
      if (seen == state) {
        finite = false;  // a cycle
        return;
      }
    }
    const auto it = states.find(state);
    if (it == states.end()) return;
    const State& s = it->second;
    if (s.default_next) {
      finite = false;
      return;
    }
    if (s.accepting) out.insert(prefix);
    if (out.size() > limit) {
      finite = false;
      return;
    }
    on_path.push_back(state);
    for (const auto& [c, next] : s.explicit_next) {
      prefix += static_cast<char>(c);
      walk(next, prefix, on_path, out, finite, limit);
      prefix.pop_back();
    }
    on_path.pop_back();
  }
};

// One profile's part of the dump: everything printed between its name line and the next.
struct ProfileDump {
  std::string text;
  std::optional<ParserDfa> dfa;  // the first (file) DFA printed for the profile
};

struct ParserRun {
  bool ok = false;
  bool timed_out = false;  // the parser's DFA construction can explode on some patterns
  std::string output;
  std::map<std::string, ProfileDump> profiles;  // by profile name
};

namespace detail {

inline int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Decodes the byte list of a default transition ("[^\x0/a]" without the brackets and '^').
inline std::set<unsigned char> decode_chars(std::string_view list) {
  std::set<unsigned char> out;
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (list[i] != '\\' || i + 1 >= list.size()) {
      out.insert(static_cast<unsigned char>(list[i]));
      continue;
    }
    const char next = list[++i];
    const std::string_view named = "atnfre";
    const std::string_view values = "\a\t\n\f\r\033";
    if (next == 'x' && i + 1 < list.size() && hex_value(list[i + 1]) >= 0) {
      int value = hex_value(list[++i]);
      // \x0 is NUL; any other value below 0x10 would be printed with one digit too.
      if (value != 0 && i + 1 < list.size() && hex_value(list[i + 1]) >= 0) {
        value = value * 16 + hex_value(list[++i]);
      }
      out.insert(static_cast<unsigned char>(value));
    } else if (const auto n = named.find(next); n != std::string_view::npos) {
      out.insert(static_cast<unsigned char>(values[n]));
    } else if (std::string_view(" ()*+.[]|").find(next) != std::string_view::npos) {
      out.insert(static_cast<unsigned char>(next));
    } else {
      out.insert('\\');
      --i;
    }
  }
  return out;
}

inline std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

inline std::optional<ParserDfa> parse_dfa(std::string_view section) {
  const std::size_t begin = section.find("{1} <== (allow/deny/audit/quiet)\n");
  if (begin == std::string_view::npos) return std::nullopt;
  const auto lines = lines_of(section.substr(begin));
  ParserDfa dfa;
  std::size_t i = 1;
  // A summary of accepting states comes first, but numbered differently from the state list:
  // acceptance is read from the state lines and from the perms shown on transitions instead.
  while (i < lines.size() && !lines[i].empty()) ++i;
  ++i;
  ParserDfa::State* current = nullptr;
  for (; i < lines.size() && !lines[i].empty(); ++i) {
    const std::string_view line = lines[i];
    if (line[0] == '{') {
      const int id = std::atoi(std::string(line.substr(1)).c_str());
      current = &dfa.states[id];
      if (line.find("perms: none") == std::string_view::npos) current->accepting = true;
      continue;
    }
    if (!current) throw std::runtime_error("DFA dump: transition before any state");
    const std::size_t arrow = line.rfind(" -> {");
    if (arrow == std::string_view::npos) throw std::runtime_error("DFA dump: bad line");
    const int target = std::atoi(std::string(line.substr(arrow + 5)).c_str());
    // "-> {M}  (0x allow/deny/audit/quiet)": the perms of an accepting target.
    if (line.find("(0x", arrow) != std::string_view::npos) dfa.states[target].accepting = true;
    std::string_view left = line.substr(0, arrow);
    const std::size_t hex = left.rfind(" 0x");
    if (!left.empty() && left.back() != ']' && hex != std::string_view::npos) {
      current->explicit_next[static_cast<unsigned char>(
          std::strtol(std::string(left.substr(hex + 3)).c_str(), nullptr, 16))] = target;
      continue;
    }
    while (!left.empty() && (left.front() == ' ' || left.front() == '\t')) left.remove_prefix(1);
    if (left.size() < 2 || left.front() != '[' || left.back() != ']') {
      throw std::runtime_error("DFA dump: unknown transition '" + std::string(line) + "'");
    }
    left = left.substr(1, left.size() - 2);
    if (!left.empty() && left.front() == '^') left.remove_prefix(1);
    current->default_next = target;
    current->default_excluded = decode_chars(left);
  }
  return dfa;
}

}  // namespace detail

// Compiles `profiles` (full profile text, each profile named in `names`) in one parser run.
class Parser {
 public:
  explicit Parser(std::string executable) : executable_(std::move(executable)) {
    char dir[] = "/tmp/armorer-aare-XXXXXX";
    if (!mkdtemp(dir)) throw std::runtime_error("mkdtemp failed");
    dir_ = dir;
  }
  ~Parser() {
    std::remove(file().c_str());
    rmdir(dir_.c_str());
  }
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;

  ParserRun run(const std::string& profile_text, const std::vector<std::string>& names,
                int timeout_seconds = 30) const {
    ParserRun result;
    if (FILE* out = std::fopen(file().c_str(), "wb")) {
      std::fwrite(profile_text.data(), 1, profile_text.size(), out);
      std::fclose(out);
    } else {
      throw std::runtime_error("cannot write " + file());
    }
    const std::string command = "timeout -k 2 " + std::to_string(timeout_seconds) + " " +
                                executable_ + " -Q -K -M " + kFeatures +
                                " -D rule-exprs -D dfa-states " + file() + " 2>&1";
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe) throw std::runtime_error("popen failed");
    char buffer[65536];
    std::size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
    const int status = pclose(pipe);
    result.ok = status == 0;
    result.timed_out = WIFEXITED(status) && (WEXITSTATUS(status) == 124 || WEXITSTATUS(status) == 137);
    if (!result.ok) return result;
    // Each profile's dump starts with its name compiled as an attachment regex.
    std::vector<std::pair<std::size_t, std::string>> starts;
    for (const std::string& name : names) {
      const std::string marker = "aare: " + name + "   ->   " + name + "\n";
      const std::size_t at = result.output.find(marker);
      if (at == std::string::npos) throw std::runtime_error("no dump for profile " + name);
      starts.emplace_back(at, name);
    }
    std::sort(starts.begin(), starts.end());
    for (std::size_t i = 0; i < starts.size(); ++i) {
      const std::size_t end = i + 1 < starts.size() ? starts[i + 1].first : result.output.size();
      ProfileDump dump;
      dump.text = result.output.substr(starts[i].first, end - starts[i].first);
      dump.dfa = detail::parse_dfa(dump.text);
      result.profiles.emplace(starts[i].second, std::move(dump));
    }
    return result;
  }

 private:
  std::string file() const { return dir_ + "/probe.apparmor"; }
  std::string executable_;
  std::string dir_;
};

}  // namespace aare_oracle
