#include "emitter/pattern_probe.h"

#include <algorithm>
#include <memory>

#include "apparmor/aare_syntax.h"

namespace armorer {

namespace {

using aare_detail::decode_escape;

// A pattern as a sequence of parts, each either fixed text or a choice between sequences.
struct Choice;
struct Part {
  std::string text;                // when choice is null
  std::shared_ptr<Choice> choice;
};
using Sequence = std::vector<Part>;
struct Choice {
  std::vector<Sequence> options;
};

Part fixed(std::string text) { return {std::move(text), nullptr}; }

Part choice_of(std::initializer_list<const char*> options) {
  auto choice = std::make_shared<Choice>();
  for (const char* option : options) choice->options.push_back({fixed(option)});
  return {"", choice};
}

// A byte of a character class `[...]` (contents without the brackets): a member, or for a
// negated class the first of a few ordinary characters that is not excluded.
std::string class_member(std::string_view body) {
  const bool negated = !body.empty() && body[0] == '^';
  if (negated) body.remove_prefix(1);
  std::vector<std::pair<unsigned char, unsigned char>> ranges;
  for (std::size_t i = 0; i < body.size(); ++i) {
    int c = static_cast<unsigned char>(body[i]);
    if (body[i] == '\\' && i + 1 < body.size()) {
      std::size_t pos = ++i;
      const int decoded = decode_escape(body, pos);
      if (decoded >= 0) {
        c = decoded;
        i = pos - 1;
      } else {
        c = static_cast<unsigned char>(body[i]);
      }
    }
    int high = c;
    if (i + 2 < body.size() && body[i + 1] == '-') {
      high = static_cast<unsigned char>(body[i + 2]);
      i += 2;
    }
    ranges.emplace_back(static_cast<unsigned char>(c), static_cast<unsigned char>(std::max(c, high)));
  }
  auto member = [&](unsigned char c) {
    return std::any_of(ranges.begin(), ranges.end(), [&](auto r) { return c >= r.first && c <= r.second; });
  };
  if (!negated) return ranges.empty() ? "x" : std::string(1, static_cast<char>(ranges[0].first));
  for (const char c : std::string_view("xq0Z_-.~")) {
    if (!member(static_cast<unsigned char>(c))) return std::string(1, c);
  }
  return "x";
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Sequence parse_sequence(bool in_alternation) {
    Sequence out;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (in_alternation && (c == ',' || c == '}')) break;
      ++pos_;
      if (c == '\\' && pos_ < text_.size()) {
        std::size_t at = pos_;
        const int decoded = decode_escape(text_, at);
        out.push_back(fixed(std::string(1, decoded >= 0 ? static_cast<char>(decoded) : text_[pos_])));
        pos_ = decoded >= 0 ? at : pos_ + 1;
      } else if (c == '*') {
        bool dbl = false;
        while (pos_ < text_.size() && text_[pos_] == '*') ++pos_, dbl = true;
        out.push_back(dbl ? choice_of({"", "x", "x/y", "probe.d/z"}) : choice_of({"", "x", "probe.d"}));
      } else if (c == '?') {
        out.push_back(choice_of({"x", "."}));
      } else if (c == '[') {
        std::size_t end = pos_;
        while (end < text_.size() && text_[end] != ']') end += text_[end] == '\\' ? 2 : 1;
        out.push_back(fixed(class_member(text_.substr(pos_, std::min(end, text_.size()) - pos_))));
        pos_ = std::min(end + 1, text_.size());
      } else if (c == '{') {
        auto choice = std::make_shared<Choice>();
        for (;;) {
          choice->options.push_back(parse_sequence(true));
          if (pos_ >= text_.size()) break;
          if (text_[pos_++] == '}') break;
        }
        out.push_back({"", choice});
      } else {
        out.push_back(fixed(std::string(1, c)));
      }
    }
    return out;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

// Sample number `k`: the n-th choice met takes option (k + n) mod its size, so consecutive
// samples vary every choice at once.
void render(const Sequence& sequence, std::size_t k, std::size_t& ordinal, std::string& out) {
  for (const auto& part : sequence) {
    if (!part.choice) {
      out += part.text;
      continue;
    }
    const auto& options = part.choice->options;
    const std::size_t pick = (k + ordinal++) % options.size();
    render(options[pick], k, ordinal, out);
  }
}

}  // namespace

std::optional<std::string> pattern_literal(std::string_view pattern) {
  const std::string folded = aare_detail::filter_slashes(pattern);
  std::string_view text = folded;
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\') {
      if (i + 1 == text.size()) return std::nullopt;
      std::size_t pos = i + 1;
      const int decoded = decode_escape(text, pos);
      out += decoded >= 0 ? static_cast<char>(decoded) : text[i + 1];
      i = decoded >= 0 ? pos - 1 : i + 1;
      continue;
    }
    if (std::string_view("*?[]{}").find(c) != std::string_view::npos) return std::nullopt;
    if (c == '@' && i + 1 < text.size() && text[i + 1] == '{') return std::nullopt;
    out += c;
  }
  return out;
}

std::vector<std::string> pattern_samples(std::string_view pattern, const Variables& vars,
                                         std::size_t limit) {
  const auto matcher = Aare::compile(pattern, vars);
  const auto expanded = aare_detail::expand_variables(pattern, vars, nullptr);
  if (!matcher || !expanded) return {};
  const std::string folded = aare_detail::filter_slashes(*expanded);
  const Sequence sequence = Parser(folded).parse_sequence(false);
  std::vector<std::string> samples;
  // A few more tries than samples wanted: some renderings repeat or are not matched.
  for (std::size_t k = 0; k < limit * 4 && samples.size() < limit; ++k) {
    std::string path;
    std::size_t ordinal = 0;
    render(sequence, k, ordinal, path);
    const std::string clean = aare_detail::filter_slashes(path);
    if (!matcher->matches(clean)) continue;
    if (std::find(samples.begin(), samples.end(), clean) == samples.end()) samples.push_back(clean);
  }
  return samples;
}

}  // namespace armorer
