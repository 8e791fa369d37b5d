// Names AppArmor uses for kernel numbers: capabilities, socket families and types.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace armorer {

// "net_raw" for 13; empty for an unknown number.
std::string_view capability_name(int cap);
std::optional<int> capability_number(std::string_view name);

// AppArmor network domain names: "inet" for AF_INET (2), "unix", "netlink", ...; empty if unknown.
std::string_view socket_family_name(int family);
// "stream", "dgram", "raw", "seqpacket", "rdm", "dccp", "packet"; empty if unknown.
std::string_view socket_type_name(int type);

}  // namespace armorer
