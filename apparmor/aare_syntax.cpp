// apparmor_parser's text-level AARE processing, reproduced from its observable behaviour
// (apparmor 3.0.8, checked rule by rule against `apparmor_parser -D rule-exprs`).
#include "apparmor/aare_syntax.h"

namespace armorer::aare_detail {
namespace {

int digit_value(char c, int base) {
  int value = -1;
  if (c >= '0' && c <= '9') {
    value = c - '0';
  } else if (c >= 'a' && c <= 'z') {
    value = c - 'a' + 10;
  } else if (c >= 'A' && c <= 'Z') {
    value = c - 'A' + 10;
  }
  return value < base ? value : -1;
}

// Reads up to `max_digits` digits of `base` without letting the value exceed 255; the parser
// stops before the digit that would overflow, leaving it as the next literal character.
int read_number(std::string_view text, std::size_t& pos, int base, std::size_t max_digits) {
  int value = 0;
  std::size_t used = 0;
  while (used < max_digits && pos < text.size()) {
    const int digit = digit_value(text[pos], base);
    if (digit < 0 || value * base + digit > 255) break;
    value = value * base + digit;
    ++pos;
    ++used;
  }
  return used == 0 ? -1 : value;
}

}  // namespace

int decode_escape(std::string_view text, std::size_t& pos, std::string_view extra) {
  if (pos >= text.size()) return -1;
  const char c = text[pos];
  if (c >= '0' && c <= '7') return read_number(text, pos, 8, 3);
  std::size_t after = pos + 1;
  int value = -1;
  switch (c) {
    case '\\': value = '\\'; break;
    case '"': value = '"'; break;
    case 'a': value = '\a'; break;
    case 'e': value = 033; break;
    case 'f': value = '\f'; break;
    case 'n': value = '\n'; break;
    case 'r': value = '\r'; break;
    case 't': value = '\t'; break;
    case 'd': value = read_number(text, after, 10, 3); break;
    case 'x': value = read_number(text, after, 16, 2); break;
    default:
      if (extra.find(c) != std::string_view::npos) value = static_cast<unsigned char>(c);
      break;
  }
  if (value >= 0) pos = after;
  return value;
}

std::string filter_slashes(std::string_view path) {
  if (path.size() < 2) return std::string(path);
  std::string out;
  out.reserve(path.size());
  std::size_t i = 0;
  // "//name" is a separate namespace for Linux; the parser keeps it.
  if (path[0] == '/' && path[1] == '/' && (path.size() == 2 || path[2] != '/')) {
    out = "//";
    i = 2;
  }
  bool after_slash = false;
  for (; i < path.size(); ++i) {
    if (path[i] == '/') {
      if (!after_slash) out += '/';
      after_slash = true;
    } else {
      out += path[i];
      after_slash = false;
    }
  }
  return out;
}

std::optional<std::string> to_parser_regex(std::string_view aare, std::string* error) {
  constexpr int kMaxAlternationDepth = 50;  // the parser's MAX_ALT_DEPTH
  auto fail = [&](const char* reason) -> std::optional<std::string> {
    if (error) *error = reason;
    return std::nullopt;
  };
  std::string out;
  bool escaped = false;
  bool in_class = false;
  int depth = 0;
  int commas[kMaxAlternationDepth] = {0};

  for (std::size_t i = 0; i < aare.size(); ++i) {
    const char c = aare[i];
    switch (c) {
      case '\\':
        if (!escaped) {
          escaped = true;
          continue;
        }
        out += "\\\\";
        break;
      case '*':
        if (escaped) {
          out += "\\*";
          break;
        }
        // A glob standing alone as a path component must match at least one character, so
        // that /foo/* does not match the directory /foo/ itself. Note the parser checks what
        // it has emitted so far, which is why `[*]` gets the same treatment after a '/'.
        if (!out.empty() && out.back() == '/') {
          std::size_t j = i;
          while (j < aare.size() && aare[j] == '*') ++j;
          if (j == aare.size() || aare[j] == '/') out += "[^/\\x00]";
        }
        if (i + 1 < aare.size() && aare[i + 1] == '*') {
          out += "[^\\x00]*";
          ++i;
        } else {
          out += "[^/\\x00]*";
        }
        break;
      case '?':
        out += escaped ? "?" : "[^/\\x00]";
        break;
      case '[':
        if (escaped) {
          out += "\\[";
        } else {
          in_class = true;
          out += '[';
        }
        break;
      case ']':
        if (escaped) {
          out += "\\]";
        } else {
          if (!in_class) return fail("']' without an opening '['");
          in_class = false;
          out += ']';
        }
        break;
      case '{':
        if (escaped) {
          out += "\\{";
        } else if (in_class) {
          out += '{';
        } else {
          if (++depth >= kMaxAlternationDepth) return fail("'{' alternations nested too deeply");
          commas[depth] = 0;
          out += '(';
        }
        break;
      case '}':
        if (escaped) {
          out += "\\}";
        } else if (in_class) {
          out += '}';
        } else {
          if (depth == 0) return fail("'}' without an opening '{'");
          if (commas[depth] == 0) return fail("'{...}' without a ',' (apparmor_parser rejects it)");
          --depth;
          out += ')';
        }
        break;
      case ',':
        if (escaped) {
          out += in_class ? "\\," : ",";
        } else if (depth > 0 && !in_class) {
          ++commas[depth];
          out += '|';
        } else {
          out += ',';
        }
        break;
      case '^':
      case '$':
        // Escaped or not: literal outside a class, raw inside one (so `[\^a]` negates).
        if (!in_class) out += '\\';
        out += c;
        break;
      case '.':
      case '+':
      case '|':
      case '(':
      case ')':
        out += '\\';
        [[fallthrough]];
      default:
        if (escaped) {
          std::size_t pos = i;
          if (decode_escape(aare, pos) >= 0) {
            out += '\\';
            out.append(aare.substr(i, pos - i));
            i = pos - 1;
          } else {
            out += c;  // needless escape: the parser drops the backslash
          }
        } else {
          out += c;
        }
        break;
    }
    escaped = false;
  }
  if (depth > 0) return fail("unclosed '{'");
  if (in_class) return fail("unclosed '['");
  if (escaped) return fail("trailing '\\'");
  return out;
}

}  // namespace armorer::aare_detail
