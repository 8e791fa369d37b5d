// Property test: thousands of generated hostile file names go through the store (record),
// back out, into rules and a profile (emit). apparmor_parser must accept every profile, and
// no rule may match anything but the one path it was written for, checked with the AARE
// matcher against the other names of its batch and nearby probe paths.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "apparmor/aare.h"
#include "analyzer/analyzer.h"
#include "apparmor/file_rule.h"
#include "emitter/writers.h"
#include "schema/store.h"
#include "tests/unit/test_emitter_support.h"

using namespace armorer;
using namespace emitter_test;

namespace {

constexpr std::size_t kNames = 3000;
constexpr std::size_t kBatch = 250;  // names per profile: one apparmor_parser run each
const std::string kDir = "/srv/h/";

// Pieces that have broken rule writers: rule syntax, quotes, escapes, AARE metacharacters,
// variables, comments, control bytes, invalid or invisible UTF-8, path tricks.
const std::vector<std::string> kPieces{
    "x, /** rwx,", "a\"b", "a\nb", "{a,b}", "*", "**", "..", ".", " ", "  ", "#", "# x", "\\", "\\\\",
    "\\052", "\\x2a", "\\n", "?", "[ab]", "[^a]", "^", "@{HOME}", "@{", "}", "{", ",", "\"", "\t", "\r",
    "\x7f", "\x01", "\x1b[31m", "\xff", "\xc3", "\xc3\xa9", "\xe2\x80\xae", "\xef\xbb\xbf", "\xf0\x9f\x94\x92",
    "/", "//", "/../", "-> /", "r,", ") peer=(", std::string(1, '\0'), "owner", "deny"};

// Letters outside 0-9a-f: never read as a number, hex digest or temp name.
std::string word(std::mt19937& random, std::size_t length) {
  std::string out;
  for (std::size_t i = 0; i < length; ++i) out += static_cast<char>('g' + random() % 20);
  return out;
}

std::vector<std::string> hostile_names() {
  std::mt19937 random(20240611);
  std::set<std::string> seen;
  std::vector<std::string> names;
  while (names.size() < kNames) {
    std::string name;
    const std::size_t parts = 1 + random() % 4;
    for (std::size_t p = 0; p < parts; ++p) {
      if (random() % 3 == 0) name += word(random, 1 + random() % 6);
      name += kPieces[random() % kPieces.size()];
    }
    // A few names near PATH_MAX: each costs apparmor_parser most of a second.
    if (random() % 200 == 0) name += std::string(1000 + random() % 3000, static_cast<char>('g' + random() % 20));
    if (name.empty() || name == "." || name == ".." || !seen.insert(name).second) continue;
    names.push_back(name);
  }
  return names;
}

// Paths a widened rule would let through: every other name of the batch, and near misses of
// each (one byte more, one less, a byte changed, a child) plus fixed ones outside.
std::vector<std::string> probes_for(const std::vector<std::string>& literals, std::mt19937& random) {
  std::vector<std::string> probes = literals;
  for (const auto& literal : literals) {
    probes.push_back(literal + "x");
    probes.push_back(literal + "/");
    probes.push_back(literal.substr(0, literal.size() - 1));
    std::string changed = literal;
    const std::size_t at = kDir.size() + random() % (literal.size() - kDir.size());
    changed[at] = changed[at] == 'x' ? 'y' : 'x';
    probes.push_back(changed);
  }
  for (const char* fixed : {"/srv/h/x", "/srv/h/", "/srv/h/a", "/srv/h/b", "/srv/h/ab", "/srv/h/a,b", "/etc/shadow",
                            "/srv/h/x, /etc/shadow", "/srv/h/aXb", "/srv/h/anything", "/", "/srv/h"})
    probes.push_back(fixed);
  std::sort(probes.begin(), probes.end());
  probes.erase(std::unique(probes.begin(), probes.end()), probes.end());
  return probes;
}

struct TempDb {
  fs::path path = fs::temp_directory_path() / ("armorer-hostile-" + std::to_string(::getpid()) + ".db");
  ~TempDb() {
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path.string() + suffix);
  }
};

// record: the observations go into the store as a run and come back out of it.
std::vector<Observation> record(const fs::path& db, const std::string& profile, const std::vector<Observation>& batch) {
  Store store = Store::open(db.string(), OpenMode::read_write_create);
  Run run;
  run.profile = profile;
  run.source = "ebpf";
  run.target = "command: hostile";
  run.id = store.begin_run(run);
  store.add_observations(run.id, batch);
  run.status = "complete";
  run.ended_ms = 1;
  store.finish_run(run);
  return store.observations(profile);
}

// Rules written exactly for each path (no generalisation), as the writer must render them.
RuleSet exact_rules(const std::string& profile, const std::vector<Observation>& observations) {
  RuleSet rules(profile);
  for (const auto& o : observations) {
    const auto need = file_need(o);
    if (!need) {
      rules.skip(o, file_need_problem(o));
      continue;
    }
    std::string why;
    auto rule = FileRule::make(aare_escape(need->path), need->perms, ExecMode::none, need->owner, false, &why);
    if (!rule) {
      rules.skip(o, why);
      continue;
    }
    Provenance provenance;
    provenance.add(o, {});
    rules.add(std::move(*rule), provenance);
  }
  return rules;
}

// The allow file rules of a profile body, each read back independently of the writer; every
// other line must be a comment or a rule of another kind, never a fragment of a file rule.
std::vector<ParsedFileRule> file_rules_of(const std::string& profile) {
  std::vector<ParsedFileRule> rules;
  for (const auto& line : body_lines(profile)) {
    if (line.starts_with('/') || line.starts_with('"') || line.starts_with('@')) {
      rules.push_back(parse_file_rule(line));
      continue;
    }
    CAPTURE(line);
    CHECK((line.starts_with("# ") || line.starts_with("include <abstractions/") || line.starts_with("signal ") ||
           line.starts_with("deny ")));
  }
  return rules;
}

}  // namespace

TEST_CASE("thousands of hostile file names: every profile compiles, no rule matches more than its path") {
  const auto names = hostile_names();
  std::mt19937 random(99);
  TempDb db;
  std::size_t total_rules = 0, total_skipped = 0, total_probes = 0;
  for (std::size_t start = 0, batch_no = 0; start < names.size(); start += kBatch, ++batch_no) {
    const std::string profile = "hostile" + std::to_string(batch_no);
    std::vector<Observation> batch;
    std::vector<std::string> literals;
    for (std::size_t i = start; i < std::min(start + kBatch, names.size()); ++i) {
      const std::string path = kDir + names[i];
      // Hostile subjects too: they land in the --explain comments.
      batch.push_back(obs(ObsKind::file, path, access::read, 0, i % 2 ? "/usr/bin/app" : path));
      if (path.find('\0') == std::string::npos) literals.push_back(path);
    }
    const std::vector<Observation> recorded = record(db.path, profile, batch);
    REQUIRE(recorded.size() == batch.size());
    std::multiset<std::string> in, out;
    for (const auto& o : batch) in.insert(o.object);
    for (const auto& o : recorded) out.insert(o.object);
    CHECK(in == out);  // the store keeps every byte

    const RuleSet rules = exact_rules(profile, recorded);
    const std::string text = write_apparmor(rules, ApparmorOptions{false, true});
    CAPTURE(profile);
    check_compiles(text);

    const auto probes = probes_for(literals, random);
    total_probes += probes.size();
    const auto parsed = file_rules_of(text);
    std::set<std::string> allowed;
    for (const auto& rule : parsed) {
      CAPTURE(rule.pattern);
      CHECK(rule.rest == " r,");  // one rule per line, nothing injected after the path
      std::string error;
      const auto matcher = Aare::compile(rule.pattern, stock_tunables(), &error);
      REQUIRE_MESSAGE(matcher.has_value(), error);
      std::vector<std::string> matched;
      for (const auto& probe : probes)
        if (matcher->matches(probe)) matched.push_back(probe);
      REQUIRE(matched.size() == 1);
      CHECK(std::find(literals.begin(), literals.end(), matched[0]) != literals.end());
      CHECK(allowed.insert(matched[0]).second);
    }
    // Every name is allowed exactly or listed as skipped, never both.
    CHECK(parsed.size() + rules.skipped().size() == batch.size());
    for (const auto& skipped : rules.skipped()) CHECK(allowed.count(skipped.observation.object) == 0);
    CHECK(uncovered(rules, recorded).size() == rules.skipped().size());
    total_rules += parsed.size();
    total_skipped += rules.skipped().size();
  }
  MESSAGE(total_rules << " rules and " << total_skipped << " skipped names from " << names.size()
                      << " hostile names, each rule checked against its batch's probes (" << total_probes
                      << " in all)");
  CHECK(total_rules > kNames * 9 / 10);
}

TEST_CASE("the analyzer's own profiles of hostile names compile and stay under their directory") {
  const auto names = hostile_names();
  TempDb db;
  const std::vector<std::string> outside{"/etc/shadow", "/srv/x", "/srv/hx/y", "/", "/srv/", "/root/.ssh/id_rsa"};
  for (std::size_t start = 0, batch_no = 0; start < names.size(); start += 4 * kBatch, ++batch_no) {
    const std::string profile = "analyzed" + std::to_string(batch_no);
    std::vector<Observation> batch;
    for (std::size_t i = start; i < std::min(start + 4 * kBatch, names.size()); ++i)
      batch.push_back(obs(ObsKind::file, kDir + names[i], i % 3 ? access::read : access::read | access::write));
    const std::vector<Observation> recorded = record(db.path, profile, batch);
    const RuleSet rules = analyze(profile, recorded, AnalyzerOptions{});
    const std::string text = write_apparmor(rules, ApparmorOptions{});
    CAPTURE(profile);
    check_compiles(text);
    CHECK(uncovered(rules, recorded).size() == rules.skipped().size());
    for (const auto& rule : file_rules_of(text)) {
      CAPTURE(rule.pattern);
      CHECK((rule.rest == " r," || rule.rest == " rw," || rule.rest == " w,"));
      const auto matcher = Aare::compile(rule.pattern, stock_tunables());
      REQUIRE(matcher.has_value());
      for (const auto& probe : outside) CHECK_FALSE(matcher->matches(probe));
    }
  }
}
