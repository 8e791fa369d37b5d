// The closed vocabularies of AppArmor rules (capabilities, socket families and types, signals)
// and the checks that keep recorded text from ever reaching a profile unvetted.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace armorer {

// "net_raw", "CAP_NET_RAW", "NET_RAW" or "13" → "net_raw"; nullopt for anything AppArmor 3
// does not know.
std::optional<std::string_view> capability_name(std::string_view text);

// "inet" or "2" → "inet"; nullopt for unknown families.
std::optional<std::string_view> network_family_name(std::string_view text);

// "stream" or "1" → "stream"; nullopt for types AppArmor cannot name.
std::optional<std::string_view> network_type_name(std::string_view text);

// "term", "SIGTERM", "TERM" or "15" → "term"; real-time signals → "rtmin+N".
std::optional<std::string> signal_name(std::string_view text);

// Why `name` cannot be a profile name (it ends up unquoted in `profile NAME {` and in
// "apparmor:NAME"), or nullopt when it is fine.
std::optional<std::string> profile_name_problem(std::string_view name);

// Recorded text made safe inside a `#` comment: no line breaks or control bytes survive, so
// a comment can never end early and start a rule.
std::string comment_safe(std::string_view text);

}  // namespace armorer
