#include "analyzer/component_shape.h"

#include <algorithm>

#include "apparmor/aare.h"

namespace armorer {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_alnum(char c) { return is_digit(c) || is_lower(c) || is_upper(c); }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f'); }

bool all_of(std::string_view text, bool (*pred)(char)) {
  return !text.empty() && std::all_of(text.begin(), text.end(), pred);
}

// Lower-case 8-4-4-4-12 at `pos`, not glued to more alnum characters.
bool uuid_at(std::string_view text, size_t pos) {
  static constexpr size_t kGroups[] = {8, 4, 4, 4, 12};
  if (pos > 0 && is_alnum(text[pos - 1])) return false;
  size_t at = pos;
  for (size_t g = 0; g < 5; ++g) {
    if (g > 0) {
      if (at >= text.size() || text[at] != '-') return false;
      ++at;
    }
    for (size_t i = 0; i < kGroups[g]; ++i, ++at)
      if (at >= text.size() || !is_hex(text[at])) return false;
  }
  return at == text.size() || !is_alnum(text[at]);
}

constexpr size_t kUuidLength = 36;
constexpr size_t kMinHex = 8;           // shorter lower-case hex runs are too often words
constexpr size_t kMinHexAlone = 12;     // a digest seen once
constexpr size_t kMinNumberAlone = 4;   // pids, ports, timestamps; not "cpython-311"
constexpr size_t kMinRandom = 6;        // mktemp's shortest template

int character_classes(std::string_view run) {
  bool lower = false, upper = false, digit = false;
  for (char c : run) {
    lower |= is_lower(c);
    upper |= is_upper(c);
    digit |= is_digit(c);
  }
  return int(lower) + int(upper) + int(digit);
}

bool has_digit_and_letter(std::string_view run) {
  return std::any_of(run.begin(), run.end(), is_digit) &&
         std::any_of(run.begin(), run.end(), [](char c) { return is_lower(c) || is_upper(c); });
}

// Python's tempfile names: "tmp" and 8 characters of [a-z0-9_], e.g. "tmpk2j3_x9q".
bool python_tempfile(std::string_view name) {
  if (name.size() != 11 || !name.starts_with("tmp")) return false;
  const auto rest = name.substr(3);
  const bool allowed = std::all_of(rest.begin(), rest.end(),
                                   [](char c) { return is_lower(c) || is_digit(c) || c == '_'; });
  return allowed && std::any_of(rest.begin(), rest.end(), [](char c) { return is_digit(c) || c == '_'; });
}

std::string class_pattern(TokenClass cls) {
  switch (cls) {
    case TokenClass::number: return "[0-9]*";
    case TokenClass::hex: return "[0-9a-f]*";
    case TokenClass::hex2: return "[0-9a-f][0-9a-f]";
    case TokenClass::uuid: return "[0-9a-f]*-[0-9a-f]*-[0-9a-f]*-[0-9a-f]*-[0-9a-f]*";
    case TokenClass::random: return "*";
    case TokenClass::literal: break;
  }
  return "";
}

std::string class_probe(TokenClass cls) {
  switch (cls) {
    case TokenClass::number: return "9";
    case TokenClass::hex: return "0f0f0f0f";
    case TokenClass::hex2: return "0f";
    case TokenClass::uuid: return "00000000-0000-0000-0000-000000000000";
    case TokenClass::random: return "ArmorerProbe0";
    case TokenClass::literal: break;
  }
  return "";
}

class Tokenizer {
 public:
  // After a temp prefix ("tmp_obj_XGUMYC"), a random run may be of one case only.
  Tokenizer(std::vector<ShapeToken>& out, bool temp_prefix) : out_(out), temp_prefix_(temp_prefix) {}

  void literal(std::string_view text) {
    if (text.empty()) return;
    if (!out_.empty() && out_.back().cls == TokenClass::literal) out_.back().text += text;
    else out_.push_back({TokenClass::literal, std::string(text)});
  }
  void token(TokenClass cls, std::string_view text) { out_.push_back({cls, std::string(text)}); }

  // Alnum runs and the separators between them; UUIDs are found first, whole.
  void scan(std::string_view text) {
    size_t pos = 0;
    while (pos < text.size()) {
      if (!is_alnum(text[pos])) {
        literal(text.substr(pos, 1));
        ++pos;
        continue;
      }
      if (uuid_at(text, pos)) {
        token(TokenClass::uuid, text.substr(pos, kUuidLength));
        pos += kUuidLength;
        continue;
      }
      size_t end = pos;
      while (end < text.size() && is_alnum(text[end])) ++end;
      run(text, pos, end);
      pos = end;
    }
  }

 private:
  // A run of alnum characters text[begin, end).
  void run(std::string_view text, size_t begin, size_t end) {
    const auto r = text.substr(begin, end - begin);
    if (all_of(r, is_digit)) return token(TokenClass::number, r);
    if (r.size() >= kMinHex && all_of(r, is_hex) && has_digit_and_letter(r))
      return token(TokenClass::hex, r);
    if (random_position(text, begin, end) && r.size() >= kMinRandom &&
        (character_classes(r) >= 2 || temp_prefix_))
      return token(TokenClass::random, r);
    // "sub0", "page12": a word and a counter.
    size_t digits = r.size();
    while (digits > 0 && is_digit(r[digits - 1])) --digits;
    if (digits > 0 && digits < r.size() &&
        std::all_of(r.begin(), r.begin() + long(digits), [](char c) { return is_lower(c) || is_upper(c); })) {
      literal(r.substr(0, digits));
      return token(TokenClass::number, r.substr(digits));
    }
    literal(r);
  }

  // Where mktemp puts its X's: after a separator, as the last run or just before one short
  // extension ("work.Xa9kQ2", "out-Xa9kQ2.txt"); never the first run, which is a name.
  static bool random_position(std::string_view text, size_t begin, size_t end) {
    if (begin == 0 || is_alnum(text[begin - 1])) return false;
    const auto rest = text.substr(end);
    if (rest.empty()) return true;
    if (rest.size() < 2 || rest.size() > 6 || rest[0] != '.') return false;
    return all_of(rest.substr(1), is_alnum);
  }

  std::vector<ShapeToken>& out_;
  bool temp_prefix_;
};

}  // namespace

ComponentShape ComponentShape::of(std::string_view component, bool fanout_dir) {
  ComponentShape shape;
  std::string lower(component);
  for (char& c : lower)
    if (is_upper(c)) c = char(c - 'A' + 'a');
  // "tmp.", "tmp_obj_", ".tmp-", "temp-": a temp prefix, not a word such as "template".
  for (std::string_view prefix : {"tmp", ".tmp", "temp", ".temp"})
    if (lower.starts_with(prefix) && lower.size() > prefix.size() && !is_lower(lower[prefix.size()]))
      shape.temp_prefix_ = true;
  Tokenizer tokenizer(shape.tokens_, shape.temp_prefix_);
  if (fanout_dir && component.size() == 2 && all_of(component, is_hex)) {
    tokenizer.token(TokenClass::hex2, component);
  } else if (python_tempfile(component)) {
    tokenizer.literal("tmp");
    tokenizer.token(TokenClass::random, component.substr(3));
  } else {
    tokenizer.scan(component);
  }
  for (const auto& token : shape.tokens_) {
    if (token.cls == TokenClass::literal) {
      shape.key_ += token.text;
    } else {
      // Bytes that a recorded name cannot hold ('/' and NUL never occur in a component).
      shape.key_ += '/';
      shape.key_ += char('0' + int(token.cls));
      ++shape.generated_;
    }
  }
  return shape;
}

bool ComponentShape::token_clearly_generated(size_t i) const {
  const ShapeToken& token = tokens_[i];
  switch (token.cls) {
    case TokenClass::uuid:
    case TokenClass::hex2:
      return true;
    case TokenClass::hex:
      return token.text.size() >= kMinHexAlone;
    case TokenClass::random:
      return temp_prefix_ || has_digit_and_letter(token.text);
    case TokenClass::number: {
      if (token.text.size() < kMinNumberAlone) return false;
      // Part of a version ("1.2345", "2024.1")? A dot joins it to another number.
      const auto joins = [&](size_t sep, size_t other) {
        return sep < tokens_.size() && other < tokens_.size() && tokens_[sep].text == "." &&
               tokens_[other].cls == TokenClass::number;
      };
      return !joins(i + 1, i + 2) && !(i >= 2 && joins(i - 1, i - 2));
    }
    case TokenClass::literal:
      break;
  }
  return false;
}

bool ComponentShape::clearly_generated() const {
  for (size_t i = 0; i < tokens_.size(); ++i)
    if (token_clearly_generated(i)) return true;
  return false;
}

bool ComponentShape::generalised(size_t i, const std::vector<bool>& varies) const {
  if (tokens_[i].cls == TokenClass::literal) return false;
  return (i < varies.size() && varies[i]) || token_clearly_generated(i);
}

std::string ComponentShape::pattern(const std::vector<bool>& varies) const {
  std::string out;
  for (size_t i = 0; i < tokens_.size(); ++i)
    out += generalised(i, varies) ? class_pattern(tokens_[i].cls) : aare_escape(tokens_[i].text);
  return out;
}

std::string ComponentShape::probe_instance(const std::vector<bool>& varies) const {
  std::string out;
  for (size_t i = 0; i < tokens_.size(); ++i)
    out += generalised(i, varies) ? class_probe(tokens_[i].cls) : tokens_[i].text;
  return out;
}

std::optional<std::string> random_middle_pattern(std::span<const std::string> names, std::string* probe) {
  if (names.size() < 2) return std::nullopt;
  const std::string& first = names.front();
  size_t prefix = first.size(), suffix = first.size();
  for (const auto& name : names.subspan(1)) {
    if (name.size() != first.size()) return std::nullopt;
    size_t p = 0;
    while (p < prefix && name[p] == first[p]) ++p;
    prefix = p;
    size_t s = 0;
    while (s < suffix && name[name.size() - 1 - s] == first[first.size() - 1 - s]) ++s;
    suffix = s;
  }
  if (prefix == 0 || prefix + suffix + kMinRandom > first.size()) return std::nullopt;
  bool mixed = false;
  for (const auto& name : names) {
    const auto middle = std::string_view(name).substr(prefix, name.size() - prefix - suffix);
    if (!all_of(middle, is_alnum)) return std::nullopt;
    mixed |= character_classes(middle) >= 2;
  }
  if (!mixed) return std::nullopt;
  const std::string head = first.substr(0, prefix), tail = first.substr(first.size() - suffix);
  if (probe) *probe = head + "ArmorerProbe0" + tail;
  return aare_escape(head) + "*" + aare_escape(tail);
}

std::string shape_pattern(std::span<const ComponentShape> members, std::string* probe, bool every_token) {
  if (members.empty()) return "";
  ShapeGroup group(members.front());
  for (const auto& member : members.subspan(1)) group.add(member);
  return group.pattern(probe, every_token);
}

ShapeGroup::ShapeGroup(ComponentShape first)
    : first_(std::move(first)), varies_(first_.tokens().size(), false) {}

void ShapeGroup::add(const ComponentShape& member) {
  ++size_;
  for (size_t i = 0; i < varies_.size() && i < member.tokens().size(); ++i)
    if (member.tokens()[i].text != first_.tokens()[i].text) varies_[i] = true;
}

std::string ShapeGroup::pattern(std::string* probe, bool every_token) const {
  std::vector<bool> varies = varies_;
  if (every_token) varies.assign(varies.size(), true);
  if (probe) *probe = first_.probe_instance(varies);
  return first_.pattern(varies);
}

}  // namespace armorer
