#include "core/kernel_names.h"

#include <array>
#include <utility>

namespace armorer {

namespace {
// include/uapi/linux/capability.h, in order.
constexpr std::array<std::string_view, 41> kCapabilities{
    "chown",          "dac_override",    "dac_read_search", "fowner",         "fsetid",
    "kill",           "setgid",          "setuid",          "setpcap",        "linux_immutable",
    "net_bind_service", "net_broadcast", "net_admin",       "net_raw",        "ipc_lock",
    "ipc_owner",      "sys_module",      "sys_rawio",       "sys_chroot",     "sys_ptrace",
    "sys_pacct",      "sys_admin",       "sys_boot",        "sys_nice",       "sys_resource",
    "sys_time",       "sys_tty_config",  "mknod",           "lease",          "audit_write",
    "audit_control",  "setfcap",         "mac_override",    "mac_admin",      "syslog",
    "wake_alarm",     "block_suspend",   "audit_read",      "perfmon",        "bpf",
    "checkpoint_restore"};

// AppArmor's network domain keywords (parser/network.c) by AF_* number.
constexpr std::pair<int, std::string_view> kFamilies[] = {
    {1, "unix"},       {2, "inet"},      {3, "ax25"},     {4, "ipx"},       {5, "appletalk"},
    {6, "netrom"},     {7, "bridge"},    {8, "atmpvc"},   {9, "x25"},       {10, "inet6"},
    {11, "rose"},      {12, "netbeui"},  {13, "security"}, {14, "key"},     {16, "netlink"},
    {17, "packet"},    {18, "ash"},      {19, "econet"},  {20, "atmsvc"},   {21, "rds"},
    {22, "sna"},       {23, "irda"},     {24, "pppox"},   {25, "wanpipe"},  {26, "llc"},
    {27, "ib"},        {28, "mpls"},     {29, "can"},     {30, "tipc"},     {31, "bluetooth"},
    {32, "iucv"},      {33, "rxrpc"},    {34, "isdn"},    {35, "phonet"},   {36, "ieee802154"},
    {37, "caif"},      {38, "alg"},      {39, "nfc"},     {40, "vsock"},    {41, "kcm"},
    {42, "qipcrtr"},   {43, "smc"},      {44, "xdp"},     {45, "mctp"},
};

constexpr std::pair<int, std::string_view> kTypes[] = {
    {1, "stream"}, {2, "dgram"}, {3, "raw"}, {4, "rdm"}, {5, "seqpacket"}, {6, "dccp"}, {10, "packet"},
};
}  // namespace

std::string_view capability_name(int cap) {
  if (cap < 0 || cap >= static_cast<int>(kCapabilities.size())) return {};
  return kCapabilities[cap];
}

std::optional<int> capability_number(std::string_view name) {
  for (size_t i = 0; i < kCapabilities.size(); ++i)
    if (kCapabilities[i] == name) return static_cast<int>(i);
  return std::nullopt;
}

std::string_view socket_family_name(int family) {
  for (const auto& [number, name] : kFamilies)
    if (number == family) return name;
  return {};
}

std::string_view socket_type_name(int type) {
  for (const auto& [number, name] : kTypes)
    if (number == type) return name;
  return {};
}

}  // namespace armorer
