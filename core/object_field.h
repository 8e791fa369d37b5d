// The fields of space-separated observation objects (signal "<signal> <peer>", ptrace
// "<peer>", mount "<fstype> <source> <mountpoint>", unix "<type> <address>", network
// "<family> <type> <protocol>"): every byte of a field that is a space, a control character or
// a backslash (and a field that is exactly "-") is written \xHH, and a missing field is "-".
// A recorded name can therefore never add or shift a field. Recorders encode, every reader
// decodes; both live here so that the two sides cannot drift apart.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace armorer {

std::string encode_object_field(std::string_view field);  // "" → "-"
std::string decode_object_field(std::string_view field);  // "-" → ""

// An object split on single spaces into at most `fields` decoded fields, the last one
// taking the rest (objects written before encoding existed may hold spaces in their last
// field). Fewer fields come back when the object has fewer.
std::vector<std::string> split_object_fields(std::string_view object, size_t fields);

}  // namespace armorer
