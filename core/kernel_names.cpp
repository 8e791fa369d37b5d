#include "core/kernel_names.h"

#include <array>

namespace armorer {

namespace {

constexpr std::array<std::string_view, 41> kCapabilities{
    "chown",          "dac_override",    "dac_read_search", "fowner",       "fsetid",
    "kill",           "setgid",          "setuid",          "setpcap",      "linux_immutable",
    "net_bind_service", "net_broadcast", "net_admin",       "net_raw",      "ipc_lock",
    "ipc_owner",      "sys_module",      "sys_rawio",       "sys_chroot",   "sys_ptrace",
    "sys_pacct",      "sys_admin",       "sys_boot",        "sys_nice",     "sys_resource",
    "sys_time",       "sys_tty_config",  "mknod",           "lease",        "audit_write",
    "audit_control",  "setfcap",         "mac_override",    "mac_admin",    "syslog",
    "wake_alarm",     "block_suspend",   "audit_read",      "perfmon",      "bpf",
    "checkpoint_restore"};

// Empty slots are families the AppArmor 3 parser has no name for (decnet).
constexpr std::array<std::string_view, 46> kFamilies{
    "unspec", "unix",  "inet",   "ax25",     "ipx",      "appletalk", "netrom",  "bridge",
    "atmpvc", "x25",   "inet6",  "rose",     "",         "netbeui",   "security", "key",
    "netlink", "packet", "ash",  "econet",   "atmsvc",   "rds",       "sna",     "irda",
    "pppox",  "wanpipe", "llc",  "ib",       "mpls",     "can",       "tipc",    "bluetooth",
    "iucv",   "rxrpc", "isdn",   "phonet",   "ieee802154", "caif",    "alg",     "nfc",
    "vsock",  "kcm",   "qipcrtr", "smc",     "xdp",      "mctp"};

// dccp (6) has no AppArmor name.
constexpr std::array<std::string_view, 11> kTypes{"", "stream", "dgram", "raw", "rdm",
                                                  "seqpacket", "", "", "", "", "packet"};

std::string_view at(std::span<const std::string_view> table, int number) {
  if (number < 0 || static_cast<size_t>(number) >= table.size()) return {};
  return table[static_cast<size_t>(number)];
}

}  // namespace

std::span<const std::string_view> capability_names() { return kCapabilities; }
std::span<const std::string_view> socket_family_names() { return kFamilies; }
std::span<const std::string_view> socket_type_names() { return kTypes; }

std::string_view capability_name(int cap) { return at(kCapabilities, cap); }

std::optional<int> capability_number(std::string_view name) {
  for (size_t i = 0; i < kCapabilities.size(); ++i)
    if (kCapabilities[i] == name) return static_cast<int>(i);
  return std::nullopt;
}

std::string_view socket_family_name(int family) { return at(kFamilies, family); }
std::string_view socket_type_name(int type) { return at(kTypes, type); }

}  // namespace armorer
