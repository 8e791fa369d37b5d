// One path component read as literal text and tokens that look generated: numbers, hex
// digests, UUIDs and random temp-name runs. The path generaliser compares the shapes of the
// names a directory held and turns the generated tokens into the narrowest AARE that still
// matches every observed name, inside that one component.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace armorer {

enum class TokenClass : uint8_t {
  literal,
  number,  // decimal digits: "1234"
  hex,     // lower-case hex of 8+ characters holding a digit and a letter: "3fa9c0d2e1"
  hex2,    // the two-hex fan-out directories of git objects ("3f"), given by the caller
  uuid,    // 8-4-4-4-12 hex
  random,  // the last alnum run after a separator, 6+ characters mixing cases/digits: "Xa9kQ2"
           // (one case suffices after a temp prefix: "tmp.abcdef")
};

struct ShapeToken {
  TokenClass cls = TokenClass::literal;
  std::string text;
};

class ComponentShape {
 public:
  // `fanout_dir`: the caller knows the component is a two-hex fan-out directory (git's
  // objects/XX/); only then is a two-character hex name a token.
  static ComponentShape of(std::string_view component, bool fanout_dir = false);

  const std::vector<ShapeToken>& tokens() const { return tokens_; }
  // The tokens, generated ones replaced by their class: equal keys, same kind of name.
  const std::string& key() const { return key_; }
  bool has_generated() const { return generated_ > 0; }

  // Whether one sighting is enough to call the name generated: a UUID, a long hex digest, a
  // number of 4+ digits that is not part of a version ("report-1234.txt" but not
  // "perl-5.36" or "cpython-311"), a random run that mixes letters and digits ("work.Xa9kQ2")
  // or follows a temp prefix ("tmp.AbCdEf", "tmp_obj_XGUMYC"), a python tempfile
  // ("tmpk2j3_x9q").
  bool clearly_generated() const;

  // AARE for this one component. Token i is generalised when varies[i] (the caller saw
  // different texts there) or when it is clearly generated on its own; all others stay
  // literal (escaped).
  std::string pattern(const std::vector<bool>& varies) const;
  // A name of that pattern that no observation had, for the sensitive-path guard.
  std::string probe_instance(const std::vector<bool>& varies) const;

 private:
  bool token_clearly_generated(size_t i) const;
  bool generalised(size_t i, const std::vector<bool>& varies) const;
  std::vector<ShapeToken> tokens_;
  std::string key_;
  size_t generated_ = 0;
  bool temp_prefix_ = false;  // the component starts with "tmp"/".tmp"/"temp"
};

// Sibling names of one length and first character whose differing middles look random
// ("tVOPQVF", "tQwZSy5": git's temp files): prefix + "*" + suffix, or nullopt when the
// middles are shorter than 6 characters, not alphanumeric, or all of one character class
// (then they may well be words). Needs two names at least.
std::optional<std::string> random_middle_pattern(std::span<const std::string> names, std::string* probe = nullptr);

// The narrowest pattern for a group of names with the same key (one or more): tokens that
// differ between the names, and clearly generated ones, become their class pattern; with
// `every_token`, all generated tokens do (the caller knows the layout: /dev/pts/N). *probe
// receives a name of that pattern that is none of the members.
std::string shape_pattern(std::span<const ComponentShape> members, std::string* probe = nullptr,
                          bool every_token = false);

// The same, for names that come one at a time: only the first shape is kept, with which of
// its tokens the others change (a directory of a million generated names would otherwise
// hold a million shapes at once).
class ShapeGroup {
 public:
  explicit ShapeGroup(ComponentShape first);
  // `member` has the first one's key.
  void add(const ComponentShape& member);
  size_t size() const { return size_; }
  const ComponentShape& first() const { return first_; }
  // shape_pattern() of every name added.
  std::string pattern(std::string* probe = nullptr, bool every_token = false) const;

 private:
  ComponentShape first_;
  std::vector<bool> varies_;
  size_t size_ = 1;
};

}  // namespace armorer
