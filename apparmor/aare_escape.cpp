// Turning observed bytes into profile text that cannot say more than was observed.
//
// What apparmor_parser 3.0.8 does with a path token, measured with `-D rule-exprs`:
//  - its lexer decodes \ooo, \xHH, \dNNN, \a \e \f \n \r \t, \\ and \" inside tokens (quoted or
//    not); a decoded AARE metacharacter comes out escaped (\052 → \*, \134 → \\), a decoded
//    NUL stays as its escape text, anything else comes out raw;
//  - a quoted token is `"` ( [^\0"] | \" )* `"` taken as the LONGEST match, so content ending in
//    a backslash would run on to the next quote in the file and swallow rules;
//  - an unquoted token ends at whitespace, '"', '!' or a ',' not followed by a token character.
#include <algorithm>
#include <array>

#include "apparmor/aare.h"
#include "apparmor/aare_syntax.h"

namespace armorer {
namespace {

void append_octal(std::string& out, unsigned char c) {
  out += '\\';
  out += static_cast<char>('0' + (c >> 6));
  out += static_cast<char>('0' + ((c >> 3) & 7));
  out += static_cast<char>('0' + (c & 7));
}

// Length of the well-formed UTF-8 sequence at `pos` that is safe to show raw, or 0. Invisible
// and direction-changing characters (C1 controls, zero-width and bidi marks) count as unsafe:
// a reviewer must see what a rule really says.
std::size_t visible_utf8_length(std::string_view text, std::size_t pos) {
  const auto byte = [&](std::size_t i) -> unsigned {
    return i < text.size() ? static_cast<unsigned char>(text[i]) : 0u;
  };
  const unsigned b0 = byte(pos);
  std::size_t length = 0;
  unsigned lo = 0x80, hi = 0xbf;
  std::uint32_t code = 0;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    length = 2;
    code = b0 & 0x1f;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    length = 3;
    code = b0 & 0x0f;
    if (b0 == 0xe0) lo = 0xa0;
    if (b0 == 0xed) hi = 0x9f;  // no UTF-16 surrogates
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    length = 4;
    code = b0 & 0x07;
    if (b0 == 0xf0) lo = 0x90;
    if (b0 == 0xf4) hi = 0x8f;
  } else {
    return 0;
  }
  for (std::size_t i = 1; i < length; ++i) {
    const unsigned b = byte(pos + i);
    if (b < (i == 1 ? lo : 0x80u) || b > (i == 1 ? hi : 0xbfu)) return 0;
    code = code << 6 | (b & 0x3f);
  }
  const bool invisible = code <= 0x9f || (code >= 0x200b && code <= 0x200f) ||
                         (code >= 0x2028 && code <= 0x202e) ||
                         (code >= 0x2060 && code <= 0x206f) || code == 0xfeff;
  return invisible ? 0 : length;
}

bool is_alnum(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Characters an unquoted path token may hold without any of the lexer's rules coming into play.
bool is_bare_char(unsigned char c) {
  return is_alnum(c) || std::string_view("/._-+*?[]{}^,@~:%").find(static_cast<char>(c)) !=
                            std::string_view::npos;
}

// Characters after a backslash that the lexer would decode rather than pass through.
bool lexer_decodes(std::string_view pattern, std::size_t after_backslash) {
  std::size_t pos = after_backslash;
  return aare_detail::decode_escape(pattern, pos) >= 0;
}

bool can_be_bare(std::string_view p) {
  std::size_t i = 0;
  // A trailing backslash would pair with the space after the token ("\ " is an escaped space).
  if (p.empty() || p.back() == '\\') return false;
  if (p[0] != '/') {
    // "@{name}/..." lexes as a path; "@{name}" alone or followed by '+' '=' '?' does not.
    if (p.substr(0, 2) != "@{") return false;
    i = 2;
    while (i < p.size() && (is_alnum(static_cast<unsigned char>(p[i])) || p[i] == '_')) ++i;
    if (i == 2 || p.substr(i, 2) != "}/") return false;
  }
  for (; i < p.size(); ++i) {
    const auto c = static_cast<unsigned char>(p[i]);
    if (c == '\\') {
      if (i + 1 >= p.size()) return false;
      const auto next = static_cast<unsigned char>(p[i + 1]);
      if (next != '\\' && (is_alnum(next) || !is_bare_char(next) || lexer_decodes(p, i + 1))) {
        return false;
      }
      ++i;
      continue;
    }
    if (!is_bare_char(c)) return false;
    // A comma ends the token unless a token character follows it.
    if (c == ',' && (i + 1 >= p.size() || p[i + 1] == ',')) return false;
  }
  return true;
}

// The bytes aare_escape() rewrites wherever they are ('/' only after another '/').
constexpr std::array<bool, 256> kEscaped = [] {
  std::array<bool, 256> table{};
  for (const unsigned char c : std::string_view("\\*?[]{},^\0", 10)) table[c] = true;
  return table;
}();

}  // namespace

std::string aare_escape(std::string_view literal) {
  // Most names need no escape at all (the generaliser escapes every component of a million
  // paths): those are copied whole.
  const bool plain = std::none_of(literal.begin(), literal.end(),
                                  [](char c) { return kEscaped[static_cast<unsigned char>(c)]; });
  if (plain && literal.find("//") == std::string_view::npos) return std::string(literal);
  std::string out;
  out.reserve(literal.size());
  for (std::size_t i = 0; i < literal.size(); ++i) {
    const char c = literal[i];
    switch (c) {
      case '\\':
      case '*':
      case '?':
      case '[':
      case ']':
      case '{':  // also keeps "@{" from naming a variable
      case '}':
      case ',':  // literal on its own, but an alternative separator once inside {a,b}
      case '^':
        out += '\\';
        out += c;
        break;
      case '/':
        // The parser folds "//" into "/"; "\/" is a slash it leaves alone.
        out += (i > 0 && literal[i - 1] == '/') ? "\\/" : "/";
        break;
      case '\0':
        out += "\\000";  // a C string cannot hold the byte itself
        break;
      default:
        out += c;
        break;
    }
  }
  return out;
}

std::optional<std::string> profile_token(std::string_view pattern) {
  if (pattern.find('\0') != std::string_view::npos) return std::nullopt;
  if (can_be_bare(pattern)) return std::string(pattern);

  std::string out = "\"";
  bool ends_with_escaped_backslash = false;
  for (std::size_t i = 0; i < pattern.size();) {
    ends_with_escaped_backslash = false;
    const auto c = static_cast<unsigned char>(pattern[i]);
    if (c == '\\') {
      if (i + 1 >= pattern.size()) return std::nullopt;  // a dangling escape
      const auto next = static_cast<unsigned char>(pattern[i + 1]);
      if (next == '\\') {
        out += "\\\\";
        ends_with_escaped_backslash = true;
        i += 2;
      } else if (next == '"') {
        out += "\\\"";  // \" and " both match a quote
        i += 2;
      } else if (lexer_decodes(pattern, i + 1)) {
        // The lexer decodes the escape before the AARE stage sees it. That is harmless unless
        // the byte it yields means something there: a '/' folds with its neighbours, '@' may
        // start a variable, '-' and '^' may change a character class.
        std::size_t end = i + 1;
        const int value = aare_detail::decode_escape(pattern, end);
        if (value == '/' || value == '@' || value == '-' || value == '^') return std::nullopt;
        out.append(pattern.substr(i, end - i));
        i = end;
      } else if (next < 0x20 || next >= 0x7f) {
        ++i;  // "\<byte>" means the byte itself; the byte is written below
      } else {
        out += '\\';
        out += static_cast<char>(next);
        i += 2;
      }
      continue;
    }
    if (c == '"') {
      out += "\\\"";
      ++i;
    } else if (c < 0x20 || c == 0x7f) {
      append_octal(out, c);
      ++i;
    } else if (c >= 0x80) {
      const std::size_t length = visible_utf8_length(pattern, i);
      if (length == 0) {
        append_octal(out, c);
        ++i;
      } else {
        out.append(pattern.substr(i, length));
        i += length;
      }
    } else {
      out += static_cast<char>(c);
      ++i;
    }
  }
  // A final backslash would make the closing quote part of an escaped quote; \134 reads back
  // as the same escaped backslash.
  if (ends_with_escaped_backslash) out.replace(out.size() - 2, 2, "\\134");
  out += '"';
  return out;
}

}  // namespace armorer
