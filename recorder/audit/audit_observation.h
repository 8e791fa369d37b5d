// AppArmor audit records → Observations, in the same shapes the eBPF recorder produces
// (core/observation.h). Pure functions of their arguments.
//
// Kinds and objects:
//   file        operation open, getattr, mknod, unlink, rename_src, link, chmod, file_mmap...:
//               object = name= as logged ("/" suffix for a directory → obs_flag::directory)
//   exec        operation exec: object = name= (the executed file)
//   capability  object = capname= in lower case, e.g. "net_raw"
//   network     family= other than unix: "<family> <sock_type> <protocol number>", "inet stream 6"
//   unix        family="unix": "<sock_type> <address>", the address being addr= when the
//               socket is bound, else peer_addr=, else "none"
//   signal      "<signal> <peer>", e.g. "term unconfined"
//   ptrace      "<peer>"
//   mount       "<fstype> <source> <mountpoint>" for mount (a bind or move mount has no type:
//               "- /src/ /dst/"), umount ("- - /mnt/": only the mount point is logged),
//               remount ("remount - /mnt/") and pivotroot ("pivot_root <old root> <new root>").
// In the space-separated objects a field the record lacks is written "-", and every byte of a
// field that is a space, a control character, a backslash (or a field that is exactly "-") is
// written \xHH: a hostile name can never add a field. Decode with decode_object_field().
//
// Access: file and exec records map requested_mask letters r w a c d l k m x onto
// access::read write append create remove link lock mmap_exec exec, plus what the operation
// itself says: rename_src/rename_dest → rename_src/rename_dst, chmod/chown/truncate/setattr →
// setattr. Other kinds carry access 0. Flags: denied (apparmor="DENIED"), owner (fsuid ==
// ouid), directory, deleted/disconnected/truncated (from the "Failed name lookup" infos).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/object_field.h"  // encode_object_field, decode_object_field
#include "core/observation.h"
#include "recorder/audit/audit_record.h"

namespace armorer {

// The part of a record's label that belongs to `profile`: the label itself, one of its
// children/hats ("profile//child", "profile//null-/usr/bin/id"), or that component of a
// stack ("profile//&other", "other//&profile//hat"). nullopt: another profile's record.
std::optional<std::string_view> matching_label(std::string_view label, std::string_view profile);

// The executable an audit observation is attributed to, from the matched label:
//   1. the innermost "null-/path" child: complain mode names the learning profile of an
//      unconfined exec after the executed file, so that is the program that acted;
//   2. otherwise `executable`, when the caller knows what the profile confines;
//   3. otherwise the profile's own name if it is an absolute path (path-attached profiles
//      are named after their program, e.g. "/usr/sbin/nginx");
//   4. otherwise the profile's name as is (not a path; the log names no executable).
// comm= is never used: it is truncated to 15 bytes and set by the process itself.
std::string audit_subject(std::string_view label, std::string_view executable);

// requested_mask letters → access:: bits (unknown letters are ignored).
uint32_t access_from_mask(std::string_view mask);

// One observation for an access record (ALLOWED, DENIED or AUDIT, from the kernel);
// nullopt for records that carry nothing armorer models (dbus, change_profile, status...).
std::optional<Observation> observation_from_record(const AuditRecord& record,
                                                   std::string_view subject);

}  // namespace armorer
