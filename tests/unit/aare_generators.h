// Generators for the differential AARE tests: random patterns from the AARE grammar (with the
// variables of probe files) and hostile literal names.
#pragma once

#include <random>
#include <string>
#include <string_view>

namespace aare_oracle {

class PatternGenerator {
 public:
  explicit PatternGenerator(unsigned seed) : rng_(seed) {}

  std::string next() {
    for (;;) {
      const unsigned kind = pick(20);
      if (kind == 0) return raw();
      std::string p = "/" + segment(2);
      for (unsigned n = pick(4); n > 0; --n) p += "/" + segment(2);
      if (pick(4) == 0) p += "/";
      if (kind == 1) corrupt(p);
      if (globs(p) <= 4) return p;
    }
  }

  // The parser builds a DFA, which grows exponentially with interleaved globs (a pattern with
  // a dozen of them kept it busy for many minutes); Aare does not, but the oracle must finish.
  static int globs(std::string_view p) {
    int count = 0;
    for (std::size_t i = 0; i < p.size(); ++i) {
      if (p[i] == '*' || p[i] == '?') ++count;
      if (p.substr(i, 4) == "@{G}" || p.substr(i, 4) == "@{B}" || p.substr(i, 4) == "@{N}") {
        count += 2;
      }
    }
    return count;
  }

 private:
  unsigned pick(unsigned n) { return static_cast<unsigned>(rng_() % n); }

  template <std::size_t N>
  std::string one_of(const char* const (&options)[N]) {
    return options[pick(N)];
  }

  // No literal backslash and no unnamed control byte below 0x10: the parser's DFA dump
  // prints those ambiguously (see aare_parser_oracle.h).
  std::string literal() {
    static const char* const chars[] = {"a", "b", "c", "x", "y", "0", "9", ".", "-", "_", "+",
                                        "$", "^", "(", ")", "|", "~", ":", "%", "@", "#", "!",
                                        "\"", "'", " ", "=", "&", ";", "<", ">", "\t", "\n",
                                        "\x1b", "\x7f", "\x10", "\xc3\xa9", "\xff", "\x80"};
    std::string out;
    for (unsigned n = 1 + pick(3); n > 0; --n) out += one_of(chars);
    return out;
  }

  std::string char_class() {
    static const char* const items[] = {"a", "b", "z", "0", "9", "a-f", "0-9", "-", "^", "*",
                                        "?", "{", "}", ",", "/", ".", "x-a", "\\]", "\\-", "@"};
    std::string out = "[";
    if (pick(3) == 0) out += "^";
    for (unsigned n = 1 + pick(3); n > 0; --n) out += one_of(items);
    return out + "]";
  }

  std::string escape() {
    static const char* const escapes[] = {"\\*", "\\?", "\\[", "\\]", "\\{", "\\}", "\\,",
                                          "\\^", "\\q", "\\.", "\\x41", "\\101", "\\d65",
                                          "\\n", "\\t", "\\\"", "\\/", "\\@", "\\x2a", "\\052",
                                          "\\$", "\\ ", "\\e"};
    return one_of(escapes);
  }

  std::string segment(int depth) {
    std::string out;
    for (unsigned n = 1 + pick(3); n > 0; --n) {
      switch (pick(depth > 0 ? 11 : 9)) {
        case 0: case 1: case 2: out += literal(); break;
        case 3: out += "*"; break;
        case 4: out += "**"; break;
        case 5: out += "?"; break;
        case 6: out += char_class(); break;
        case 7: out += escape(); break;
        case 8: {
          static const char* const vars[] = {"@{A}", "@{B}", "@{C}", "@{S}", "@{E}", "@{N}",
                                             "@{G}"};
          out += one_of(vars);
          break;
        }
        default: {
          out += "{";
          // Mostly two to four alternatives; "{x}" alone is an error to both sides.
          for (unsigned alt = 0, count = pick(10) == 0 ? 1 : 2 + pick(3); alt < count; ++alt) {
            if (alt) out += ",";
            if (pick(5) == 0) continue;  // an empty alternative
            out += segment(depth - 1);
            if (pick(4) == 0) out += "/" + segment(depth - 1);
          }
          out += "}";
        }
      }
    }
    return out;
  }

  void corrupt(std::string& p) {
    static const char* const junk[] = {"{", "}", "[", "]", ",", "\\", "@{", "}}", "[]"};
    // Never the leading '/': a quoted token must start with '/' or '@' to lex as a path.
    const std::size_t at = 1 + pick(static_cast<unsigned>(p.size()));
    if (pick(3) == 0 && p.size() > 1) {
      p.erase(at == p.size() ? at - 1 : at, 1);
    } else {
      p.insert(at, one_of(junk));
    }
  }

  // Short strings over the metacharacters alone, for the corners the grammar never reaches.
  std::string raw() {
    static const char* const chars[] = {"/", "a", "*", "?", "[", "]", "{", "}", ",", "^",
                                        "-", "\\", "@", "x", "."};
    std::string out = "/";
    for (unsigned n = 1 + pick(9); n > 0; --n) out += one_of(chars);
    while (out.find("\\\\") != std::string::npos) out.erase(out.find("\\\\"), 1);
    return out;
  }

  std::mt19937 rng_;
};

// Names built from the pieces most likely to break quoting, escaping or tokenising, plus
// random bytes: quotes, backslashes, commas, braces, globs, "@{", '#', whitespace, newlines,
// rule text, NUL, non-UTF-8, invisible and right-to-left characters, long names.
inline std::string hostile_name(std::mt19937& rng) {
  static const char* const pieces[] = {
      "\"", "\\", ",", "{", "}", "[", "]", "*", "**", "?", "^", "@{HOME}", "@{", "@", "#", " ",
      "\n", "\r", "\t", "/", "//", "..", ".", "!", "=", "(", ")", "$", "-", "x", "abc", " r,",
      " rwx,", "/** rwx,", "\\\"", "\\\\", "\\x41", "\\n", "\\000", "\\052", "}\nprofile evil {",
      "\" r,\n/** rwx,\n\"", "\xff", "\xc3\xa9", "\xe2\x80\xae", "\xc2\x85", "\xed\xa0\x80",
      "\xf0\x9f\x98\x80", "\xc3", "\x01", "\x1f", "\x7f", "\xef\xbb\xbf"};
  std::string name;
  const bool long_name = rng() % 20 == 0;
  const unsigned count = long_name ? 80 + rng() % 80 : 1 + rng() % 12;
  for (unsigned i = 0; i < count; ++i) {
    if (rng() % 3 == 0) {
      name += static_cast<char>(rng() % 256);  // any byte, NUL included
    } else {
      name += pieces[rng() % (sizeof pieces / sizeof *pieces)];
    }
  }
  return name;
}

}  // namespace aare_oracle
