// Names AppArmor uses for kernel numbers: capabilities, socket families and types. One table
// each, indexed by the kernel's number, shared by the recorder (numbers → names) and the
// analyzer (names or numbers → AppArmor keywords).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace armorer {

// Indexed by number; an empty entry is a number AppArmor 3 has no keyword for.
std::span<const std::string_view> capability_names();     // CAP_* (include/uapi/linux/capability.h)
std::span<const std::string_view> socket_family_names();  // AF_*  (AppArmor parser's domains)
std::span<const std::string_view> socket_type_names();    // SOCK_*

// "net_raw" for 13; empty for an unknown number.
std::string_view capability_name(int cap);
std::optional<int> capability_number(std::string_view name);

// AppArmor network domain names: "inet" for AF_INET (2), "unix", "netlink", ...; empty if unknown.
std::string_view socket_family_name(int family);
// "stream", "dgram", "raw", "seqpacket", "rdm", "packet"; empty if unknown.
std::string_view socket_type_name(int type);

}  // namespace armorer
