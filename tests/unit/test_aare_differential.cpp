// Aare against apparmor_parser itself: random patterns from the AARE grammar and hostile
// literal names are written into profiles with profile_token, compiled offline, and every
// verdict of Aare::matches is compared with the DFA the parser built. Needs no root; skipped
// (see tests/integration/test_aare_differential.sh for the reason printed) when the parser or
// its feature file is missing. Counts scale with ARMORER_AARE_PATTERNS / ARMORER_AARE_LITERALS,
// the generators' seed with ARMORER_AARE_SEED.
#include <doctest/doctest.h>

#include <cstdlib>
#include <random>
#include <sstream>

#include "apparmor/aare.h"
#include "apparmor/aare_syntax.h"
#include "aare_generators.h"
#include "aare_parser_oracle.h"

using namespace armorer;
using aare_oracle::Parser;
using aare_oracle::ParserRun;
using aare_oracle::PatternGenerator;
using aare_oracle::hostile_name;

namespace {

bool have_parser() { return aare_oracle::parser_path().has_value(); }

long env_or(const char* name, long fallback) {
  const char* value = std::getenv(name);
  return value && *value ? std::strtol(value, nullptr, 10) : fallback;
}

std::string printable(std::string_view text) {
  std::ostringstream out;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x7f || c == '\\') {
      out << "\\x" << "0123456789abcdef"[c >> 4] << "0123456789abcdef"[c & 15];
    } else {
      out << ch;
    }
  }
  return out.str();
}

// What the parser's lexer hands on for a token (observed behaviour of apparmor 3.0.8): quotes
// stripped, \ooo \xHH \dNNN \a \e \f \n \r \t \\ \" decoded, a decoded AARE metacharacter
// re-escaped, a decoded NUL left as written.
std::string lexed(std::string_view token) {
  if (token.size() >= 2 && token.front() == '"') token = token.substr(1, token.size() - 2);
  std::string out;
  for (std::size_t i = 0; i < token.size();) {
    std::size_t pos = i + 1;
    const int c = token[i] == '\\' ? aare_detail::decode_escape(token, pos) : -1;
    if (c < 0) {
      out += token[i++];
    } else if (c == 0) {
      out.append(token.substr(i, pos - i));
      i = pos;
    } else {
      if (std::string_view("*?[]{}^,\\").find(static_cast<char>(c)) != std::string_view::npos) {
        out += '\\';
      }
      out += static_cast<char>(c);
      i = pos;
    }
  }
  return out;
}

// Variables the generated patterns use, declared in every probe file and given to Aare.
const Variables& probe_variables() {
  static const Variables vars = {{"A", {"/one/", "/two"}},    {"B", {"x{y,z}", "*.d"}},
                                 {"C", {"@{A}sub", "c"}},     {"S", {"single/"}},
                                 {"E", {""}},                 {"N", {"@{B}/@{S}"}},
                                 {"G", {"**", "?"}}};
  return vars;
}

std::string variable_declarations(const Variables& vars) {
  std::string out;
  for (const auto& [name, values] : vars) {
    out += "@{" + name + "}=";
    for (const std::string& value : values) out += " \"" + value + "\"";
    out += "\n";
  }
  return out;
}

// Paths to try against one pattern: samples of the parser's own language, their near misses,
// and random strings over the pattern's characters.
std::vector<std::string> probe_paths(const aare_oracle::ParserDfa& dfa, std::string_view pattern,
                                     std::mt19937& rng) {
  std::set<std::string> paths = {"", "/", "//", "/a", "/a/", "/a/b"};
  std::string alphabet = "/ax.\n";
  for (const char c : pattern) {
    if (c != '\\') alphabet += c;
  }
  for (int i = 0; i < 6; ++i) {
    const auto sample = dfa.sample(rng);
    if (!sample) break;
    std::string s = *sample;
    paths.insert(s);
    paths.insert(s + "x");
    paths.insert(s + "/");
    paths.insert(s + "/x");
    if (!s.empty()) {
      paths.insert(s.substr(0, s.size() - 1));
      std::string changed = s;
      changed[rng() % changed.size()] = alphabet[rng() % alphabet.size()];
      paths.insert(changed);
      std::string slashed = s;
      slashed.insert(rng() % slashed.size(), "/");
      paths.insert(slashed);
    }
  }
  for (int i = 0; i < 8; ++i) {
    std::string s = "/";
    for (int n = static_cast<int>(rng() % 10); n > 0; --n) s += alphabet[rng() % alphabet.size()];
    paths.insert(s);
  }
  return {paths.begin(), paths.end()};
}

std::string profile_of(const std::string& name, const std::string& rules) {
  return "profile " + name + " {\n" + rules + "}\n";
}

struct Tally {
  long compared = 0;
  long mismatches = 0;
  std::vector<std::string> reports;

  void report(const std::string& what) {
    ++mismatches;
    if (reports.size() < 25) reports.push_back(what);
  }
  void print(const char* title) const {
    for (const std::string& r : reports) MESSAGE(std::string(title) << ": " << r);
  }
};

}  // namespace

TEST_CASE("random AARE patterns mean for Aare what they mean for apparmor_parser" *
          doctest::skip(!have_parser())) {
  const Parser parser(*aare_oracle::parser_path());
  const Variables& vars = probe_variables();
  const std::string preamble = variable_declarations(vars);
  const long count = env_or("ARMORER_AARE_PATTERNS", 800);
  PatternGenerator generator(static_cast<unsigned>(env_or("ARMORER_AARE_SEED", 20240611)));
  std::mt19937 rng(7);

  struct Case {
    std::string pattern, token, name;
    std::optional<Aare> aare;
  };
  std::vector<Case> valid, invalid;
  long untokenizable = 0;
  std::set<std::string> seen;
  while (static_cast<long>(valid.size() + invalid.size()) < count) {
    std::string pattern = generator.next();
    if (!seen.insert(pattern).second) continue;
    const auto token = profile_token(pattern);
    if (!token) {
      ++untokenizable;
      continue;
    }
    Case c{pattern, *token, "", Aare::compile(pattern, vars)};
    (c.aare ? valid : invalid).push_back(std::move(c));
  }

  Tally tally;
  long paths_compared = 0, line_checks = 0, parser_timeouts = 0;
  auto check_case = [&](const Case& c, const aare_oracle::ProfileDump& dump) {
    std::string error;
    const auto expanded = aare_detail::expand_variables(lexed(c.token), vars, &error);
    REQUIRE(expanded);
    const std::string aare_text = aare_detail::filter_slashes(*expanded);
    const auto regex = aare_detail::to_parser_regex(aare_text, &error);
    REQUIRE(regex);
    ++line_checks;
    if (dump.text.find("aare: " + aare_text + "   ->   " + *regex + "\n") == std::string::npos) {
      tally.report("regex text differs for " + printable(c.pattern) + ": ours " +
                   printable(*regex) + "\n" + printable(dump.text.substr(0, 600)));
    }
    REQUIRE(dump.dfa);
    for (const std::string& path : probe_paths(*dump.dfa, c.pattern, rng)) {
      ++paths_compared;
      const bool theirs = dump.dfa->matches(path);
      if (c.aare->matches(path) != theirs) {
        tally.report(printable(c.pattern) + " on " + printable(path) + ": parser says " +
                     (theirs ? "match" : "no match"));
      }
    }
  };

  constexpr std::size_t kBatch = 100;
  for (std::size_t start = 0; start < valid.size(); start += kBatch) {
    std::string text = preamble;
    std::vector<std::string> names;
    for (std::size_t i = start; i < std::min(valid.size(), start + kBatch); ++i) {
      valid[i].name = "armorer_probe_" + std::to_string(i);
      names.push_back(valid[i].name);
      text += profile_of(valid[i].name, "  " + valid[i].token + " r,\n");
    }
    const ParserRun run = parser.run(text, names);
    for (std::size_t i = start; i < std::min(valid.size(), start + kBatch); ++i) {
      ++tally.compared;
      if (run.ok) {
        check_case(valid[i], run.profiles.at(valid[i].name));
        continue;
      }
      // Somebody in the batch was refused or too slow: find out who, one profile at a time.
      const ParserRun single =
          parser.run(preamble + profile_of(valid[i].name, "  " + valid[i].token + " r,\n"),
                     {valid[i].name}, 10);
      if (single.ok) {
        check_case(valid[i], single.profiles.at(valid[i].name));
      } else if (single.timed_out) {
        ++parser_timeouts;
        tally.report("apparmor_parser never finishes " + printable(valid[i].pattern) +
                     ", which Aare accepts");
      } else {
        tally.report("parser refuses " + printable(valid[i].pattern) +
                     " that Aare accepts: " + printable(single.output.substr(0, 300)));
      }
    }
  }
  for (Case& c : invalid) {
    ++tally.compared;
    c.name = "armorer_probe_invalid";
    const ParserRun run =
        parser.run(preamble + profile_of(c.name, "  " + c.token + " r,\n"), {c.name}, 10);
    if (run.timed_out) ++parser_timeouts;  // as good as a refusal: no policy comes out
    std::string error;
    Aare::compile(c.pattern, vars, &error);
    if (run.ok) {
      tally.report("parser accepts " + printable(c.pattern) + " that Aare refuses: " + error);
    }
  }

  MESSAGE("patterns compared with apparmor_parser: " << tally.compared << " (" << valid.size()
          << " valid, " << invalid.size() << " refused by both), paths compared: "
          << paths_compared << ", regex lines compared: " << line_checks
          << ", patterns profile_token could not write: " << untokenizable
          << ", patterns the parser never finished (refused by Aare too): " << parser_timeouts
          << ", mismatches: " << tally.mismatches);
  tally.print("mismatch");
  CHECK(tally.mismatches == 0);
  CHECK(paths_compared > 10 * static_cast<long>(valid.size()));
}

namespace {

std::vector<std::string> near_misses(const std::string& path, std::mt19937& rng) {
  std::vector<std::string> out = {path + "x", path + "/", path + "/x", path + "*",
                                  path.substr(0, path.size() - 1), path + std::string(1, '\0')};
  for (int i = 0; i < 4 && path.size() > 1; ++i) {
    std::string changed = path;
    const std::size_t at = 1 + rng() % (path.size() - 1);
    changed[at] = static_cast<char>(changed[at] ^ (1 << (rng() % 8)));
    out.push_back(changed);
    std::string shorter = path;
    shorter.erase(at, 1);
    out.push_back(shorter);
  }
  return out;
}

}  // namespace

TEST_CASE("hostile literal names compile to exactly themselves, in Aare and in the parser" *
          doctest::skip(!have_parser())) {
  const Parser parser(*aare_oracle::parser_path());
  const long count = env_or("ARMORER_AARE_LITERALS", 3000);
  std::mt19937 rng(static_cast<unsigned>(env_or("ARMORER_AARE_SEED", 20240611)) + 1);

  struct Case {
    std::string path, token, name;
  };
  std::vector<Case> cases;
  Tally tally;
  long unwritable = 0, quoted = 0, misses_checked = 0;
  for (long i = 0; i < count; ++i) {
    const std::string path = "/" + hostile_name(rng);
    const std::string pattern = aare_escape(path);
    std::string error;
    const auto aare = Aare::compile(pattern, {}, &error);
    if (!aare) {
      tally.report("aare_escape output does not compile: " + printable(pattern) + ": " + error);
      continue;
    }
    if (!aare->matches(path)) tally.report("escaped name does not match itself: " + printable(path));
    for (const std::string& miss : near_misses(path, rng)) {
      ++misses_checked;
      if (miss != path && aare->matches(miss)) {
        tally.report(printable(pattern) + " also matches " + printable(miss));
      }
    }
    const auto token = profile_token(pattern);
    if (!token) {
      ++unwritable;
      continue;
    }
    if (token->front() == '"') ++quoted;
    // Nothing in a token may start a new line, whatever the name holds.
    if (token->find_first_of("\n\r") != std::string::npos) {
      tally.report("token holds a line break: " + printable(*token));
    }
    cases.push_back({path, *token, "armorer_literal_" + std::to_string(cases.size())});
  }

  constexpr std::size_t kBatch = 500;
  for (std::size_t start = 0; start < cases.size(); start += kBatch) {
    std::string text;
    std::vector<std::string> names;
    const std::size_t end = std::min(cases.size(), start + kBatch);
    for (std::size_t i = start; i < end; ++i) {
      names.push_back(cases[i].name);
      text += profile_of(cases[i].name, "  " + cases[i].token + " r,\n");
    }
    const ParserRun run = parser.run(text, names);
    for (std::size_t i = start; i < end; ++i) {
      const ParserRun single =
          run.ok ? ParserRun{}
                 : parser.run(profile_of(cases[i].name, "  " + cases[i].token + " r,\n"),
                              {cases[i].name});
      const ParserRun& used = run.ok ? run : single;
      ++tally.compared;
      if (!used.ok) {
        tally.report("parser refuses " + printable(cases[i].token) + ": " +
                     printable(used.output.substr(0, 300)));
        continue;
      }
      const auto& dfa = used.profiles.at(cases[i].name).dfa;
      const auto language = dfa ? dfa->finite_language() : std::nullopt;
      if (!language || *language != std::set<std::string>{cases[i].path}) {
        tally.report("parser's rule for " + printable(cases[i].token) +
                     " does not match exactly " + printable(cases[i].path));
      }
    }
  }
  MESSAGE("hostile names: " << count << ", written as tokens: " << cases.size() << " ("
          << quoted << " quoted), unwritable: " << unwritable
          << ", checked by the parser's DFA to accept exactly the name: " << tally.compared
          << ", near misses refused by Aare: " << misses_checked
          << ", mismatches: " << tally.mismatches);
  tally.print("literal");
  CHECK(tally.mismatches == 0);
  CHECK(tally.compared > count * 9 / 10);
}

TEST_CASE("profile_token never lets a name or a pattern inject or widen a rule" *
          doctest::skip(!have_parser())) {
  const Parser parser(*aare_oracle::parser_path());
  const std::set<std::string> sentinels = {"/sentinel/before", "/sentinel/after"};
  const std::vector<std::string> nasty = {
      "x, /** rwx,", "/a\"b", "/a\nb", "/{a,b}", "/*", "/..", "/a/../../etc/shadow",
      "/a\" r,\n  /** rwx,\n  \"/b", "/a\\", "/a\\\\", "/a\\\" r, /b \"", "/x\n}\nprofile evil {\n",
      "/a#b", "/a b", "/a,", "/a,,b", "/a\r", "/a\\ r", "/a\t", "/@{HOME}", "/a\\x2f**",
      "/a\\", "/\"", "/\\\"", "/a\\134", "/a\xe2\x80\xae/b", "/a/\\", "/a/ #x", "/a/!b",
      "/a/^b", "/\\/**", "/a\\,", "/a\\\n rwx,"};
  std::mt19937 rng(3);
  long literal_checked = 0, pattern_checked = 0, pattern_refused = 0;
  for (const std::string& text : nasty) {
    // As an observed name: the profile must hold exactly the name and the two sentinels.
    {
      const std::string path = text[0] == '/' ? text : "/" + text;
      const auto token = profile_token(aare_escape(path));
      REQUIRE(token);
      const ParserRun run = parser.run(
          profile_of("probe", "  /sentinel/before w,\n  " + *token + " r,\n  /sentinel/after w,\n"),
          {"probe"});
      INFO("name: ", printable(path), " token: ", printable(*token));
      REQUIRE(run.ok);
      std::set<std::string> expected = sentinels;
      expected.insert(path);
      const auto& dfa = run.profiles.at("probe").dfa;
      REQUIRE(dfa);
      CHECK(dfa->finite_language() == std::optional<std::set<std::string>>(expected));
      ++literal_checked;
    }
    // As a pattern: either the parser refuses it, or it means exactly what Aare says.
    const auto token = profile_token(text);
    if (!token) continue;
    const ParserRun run = parser.run(
        profile_of("probe", "  /sentinel/before w,\n  " + *token + " r,\n  /sentinel/after w,\n"),
        {"probe"});
    if (!run.ok) {
      ++pattern_refused;
      continue;
    }
    const auto aare = Aare::compile(text, {});
    INFO("pattern: ", printable(text), " token: ", printable(*token));
    REQUIRE(aare);
    const auto& dfa = run.profiles.at("probe").dfa;
    REQUIRE(dfa);
    std::vector<std::string> probes = {"/etc/shadow", "/x", "/b", "/a", "/a/b", "/sentinel/x"};
    probes.insert(probes.end(), sentinels.begin(), sentinels.end());
    for (int i = 0; i < 20; ++i) {
      if (const auto sample = dfa->sample(rng)) probes.push_back(*sample);
    }
    for (const std::string& probe : probes) {
      INFO("probe: ", printable(probe));
      CHECK(dfa->matches(probe) == (aare->matches(probe) || sentinels.count(probe) == 1));
    }
    ++pattern_checked;
  }
  MESSAGE("nasty texts: " << nasty.size() << ", as names checked exactly: " << literal_checked
          << ", as patterns checked: " << pattern_checked << ", refused by the parser: "
          << pattern_refused);
}
