// @{variable} expansion with apparmor_parser 3.0's rules: a variable's own values are expanded
// first (one value per combination, so @{a}/x with a = {p,q} gives p/x and q/x); a rule then
// gets the single value as is, or all of them as a {v1,v2} alternation with slashes trimmed
// next to a neighbouring '/'; after every replacement the whole text is scanned again.
#include <algorithm>
#include <set>

#include "apparmor/aare_syntax.h"

namespace armorer::aare_detail {
namespace {

constexpr std::size_t kMaxExpansions = 100000;  // guards against runaway growth
constexpr std::size_t kMaxLength = 1 << 20;

bool is_ascii_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_name_char(char c) { return is_ascii_alpha(c) || (c >= '0' && c <= '9') || c == '_'; }

struct VariableRef {
  std::size_t begin = 0;  // at '@'
  std::size_t end = 0;    // one past '}'
  std::string name;
};

// The first unescaped @{name} in `text`. A '@{' not followed by a well-formed name and '}' is
// plain text, except the empty name "@{}", which the parser rejects.
std::optional<VariableRef> find_variable(std::string_view text, bool* empty_name) {
  bool escaped = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\') {
      escaped = !escaped;
      continue;
    }
    if (c == '@' && !escaped && i + 1 < text.size() && text[i + 1] == '{') {
      std::size_t j = i + 2;
      if (j < text.size() && text[j] == '}') {
        *empty_name = true;
        return std::nullopt;
      }
      if (j < text.size() && is_ascii_alpha(text[j])) {
        while (j < text.size() && is_name_char(text[j])) ++j;
        if (j < text.size() && text[j] == '}') {
          return VariableRef{i, j + 1, std::string(text.substr(i + 2, j - i - 2))};
        }
      }
    }
    escaped = false;
  }
  return std::nullopt;
}

class Expander {
 public:
  Expander(const Variables& vars, std::string* error) : vars_(vars), error_(error) {}

  // All values of `name`, each free of variables.
  std::optional<std::vector<std::string>> values_of(const std::string& name) {
    if (auto done = expanded_.find(name); done != expanded_.end()) return done->second;
    const auto raw = vars_.find(name);
    if (raw == vars_.end()) return fail("undefined variable @{" + name + "}");
    if (raw->second.empty()) return fail("variable @{" + name + "} has no values");
    if (!visiting_.insert(name).second) return fail("variable @{" + name + "} refers to itself");
    std::vector<std::string> result;
    std::vector<std::string> work(raw->second.rbegin(), raw->second.rend());
    while (!work.empty()) {
      std::string value = std::move(work.back());
      work.pop_back();
      bool empty_name = false;
      const auto ref = find_variable(value, &empty_name);
      if (empty_name) return fail("empty variable name '@{}' in @{" + name + "}");
      if (!ref) {
        result.push_back(std::move(value));
        continue;
      }
      const auto inner = values_of(ref->name);
      if (!inner) return std::nullopt;
      if (++expansions_ > kMaxExpansions) return fail("variable @{" + name + "} expands too far");
      // Reverse order onto the stack so that values come out in their written order.
      for (auto it = inner->rbegin(); it != inner->rend(); ++it) {
        work.push_back(value.substr(0, ref->begin) + *it + value.substr(ref->end));
      }
    }
    visiting_.erase(name);
    return expanded_.emplace(name, std::move(result)).first->second;
  }

  std::optional<std::string> expand(std::string_view pattern) {
    std::string text(pattern);
    for (;;) {
      bool empty_name = false;
      const auto ref = find_variable(text, &empty_name);
      if (empty_name) return fail("empty variable name '@{}'");
      if (!ref) return text;
      const auto values = values_of(ref->name);
      if (!values) return std::nullopt;
      std::string replacement;
      if (values->size() == 1) {
        replacement = values->front();
      } else {
        // Several values become an alternation. A '/' on both sides of the "{" or "}" would
        // no longer be adjacent for filter_slashes, so the parser trims the values' own
        // slashes there: @{HOME}/x is {/home/*,/root}/x, not {/home/*/,/root/}/x.
        const bool trim_leading = ref->begin > 0 && text[ref->begin - 1] == '/';
        const bool trim_trailing = ref->end < text.size() && text[ref->end] == '/';
        replacement = "{";
        for (std::size_t i = 0; i < values->size(); ++i) {
          if (i) replacement += ',';
          std::string_view value = (*values)[i];
          if (trim_leading) value.remove_prefix(std::min(value.find_first_not_of('/'), value.size()));
          replacement += value;
          if (trim_trailing) {
            while (replacement.back() == '/') replacement.pop_back();
          }
        }
        replacement += '}';
      }
      text = text.substr(0, ref->begin) + replacement + text.substr(ref->end);
      if (++expansions_ > kMaxExpansions || text.size() > kMaxLength) {
        return fail("variables expand too far");
      }
    }
  }

 private:
  std::nullopt_t fail(const std::string& message) {
    if (error_) *error_ = message;
    return std::nullopt;
  }

  const Variables& vars_;
  std::string* error_;
  std::map<std::string, std::vector<std::string>> expanded_;
  std::set<std::string> visiting_;
  std::size_t expansions_ = 0;
};

}  // namespace

std::optional<std::string> expand_variables(std::string_view pattern, const Variables& vars,
                                            std::string* error) {
  return Expander(vars, error).expand(pattern);
}

}  // namespace armorer::aare_detail
