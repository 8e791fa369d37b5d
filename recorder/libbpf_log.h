// libbpf's messages, kept rather than printed: when the kernel refuses a program they name it
// and say why, which the loader turns into a fallback or a one-line error.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace armorer::libbpf_log {

// Routes libbpf's messages here. ARMORER_BPF_LOG=1 also passes them all, debug level and the
// verifier's log included, to stderr: what a bug report about a refused program needs.
void capture();
// Forgets what was kept (before each load attempt).
void clear();
// The last line libbpf itself wrote (not the verifier's), or "".
std::string last_message();
// The program a failed load was refused on and why: libbpf names it ("prog 'on_capable':
// failed to find kernel BTF type ID of 'cap_capable': -3"), and a verifier log ends with the
// verifier's reason ("BPF program is too large. Processed 1000001 insn"). {"", ""} if none.
std::pair<std::string, std::string> refused_program();
// The same, read from lines libbpf wrote (without their "libbpf: " prefix).
std::pair<std::string, std::string> refusal_in(const std::vector<std::string>& lines);

}  // namespace armorer::libbpf_log
