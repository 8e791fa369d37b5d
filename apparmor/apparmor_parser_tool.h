// Finding AppArmor's own parser and reading what it says: shared by the profile reader
// (apparmor_parser -p), the validator (-Q -K) and emit's read-back check.
#pragma once

#include <string>
#include <vector>

namespace armorer {

// $ARMORER_APPARMOR_PARSER when set (nothing else is tried then), else /usr/sbin, /sbin and
// the PATH; empty when there is none.
std::string find_apparmor_parser();

// "-M /usr/share/apparmor-features/features" when that file exists: pins the feature ABI and
// silences the parser's cache warning; empty otherwise.
std::vector<std::string> apparmor_feature_args();

// The line of the parser's stderr that says what is wrong (a cache warning may come first);
// "no message" when it printed nothing.
std::string apparmor_parser_message(const std::string& stderr_text);

}  // namespace armorer
