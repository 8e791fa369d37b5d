// Internal to the AARE matcher: the text-level steps apparmor_parser applies to a file rule's
// path before its regex engine sees it, reproduced step by step so that Aare means exactly what
// the parser means (including its quirks: `*` inside [..], `[\^a]` negating, `{a}` being an
// error). Order, as in the parser: expand_variables → filter_slashes → to_parser_regex.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "apparmor/aare.h"

namespace armorer::aare_detail {

// The parser's escape decoding (lib.c str_escseq): `text[pos]` is the character after a
// backslash. Returns the byte the sequence stands for and advances `pos` past it, or returns
// -1 and leaves `pos` alone when the sequence means nothing. Octal \ooo (≤ 3 digits, ≤ 255),
// \xHH, \dNNN, \a \e \f \n \r \t, \\ \", and any character listed in `extra`.
int decode_escape(std::string_view text, std::size_t& pos, std::string_view extra = {});

// Replaces every unescaped @{name} with its values ("{v1,v2}" when several), rescanning after
// each replacement as the parser does. nullopt + *error for an undefined or empty name, a
// variable that refers to itself, or runaway expansion.
std::optional<std::string> expand_variables(std::string_view pattern, const Variables& vars,
                                            std::string* error);

// Collapses runs of '/' into one, except a leading "//" followed by something else.
std::string filter_slashes(std::string_view path);

// The parser's AARE → regex conversion (parser_regex.c convert_aaregex_to_pcre), producing the
// text its regex engine parses: `*` → [^/\x00]*, `**` → [^\x00]*, `?` → [^/\x00], {a,b} →
// (a|b). nullopt + *error for unbalanced [ ] { }, {x} without a comma, or a trailing '\'.
std::optional<std::string> to_parser_regex(std::string_view aare, std::string* error);

}  // namespace armorer::aare_detail
