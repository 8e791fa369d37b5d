#include "core/object_field.h"

namespace armorer {

std::string encode_object_field(std::string_view field) {
  if (field.empty()) return "-";
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : field) {
    if (c <= ' ' || c == 0x7f || c == '\\' || field == "-") {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string decode_object_field(std::string_view field) {
  if (field == "-") return {};
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  for (std::size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size() && field[i + 1] == 'x' &&
        nibble(field[i + 2]) >= 0 && nibble(field[i + 3]) >= 0) {
      out += static_cast<char>(nibble(field[i + 2]) << 4 | nibble(field[i + 3]));
      i += 3;
    } else {
      out += field[i];
    }
  }
  return out;
}

std::vector<std::string> split_object_fields(std::string_view object, size_t fields) {
  std::vector<std::string> out;
  while (fields > 0) {
    const auto space = fields == 1 ? std::string_view::npos : object.find(' ');
    out.push_back(decode_object_field(object.substr(0, space)));
    if (space == std::string_view::npos) break;
    object.remove_prefix(space + 1);
    --fields;
  }
  return out;
}

}  // namespace armorer
