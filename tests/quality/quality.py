#!/usr/bin/python3
"""Helpers of tests/quality/run.sh: the exact-paths baseline profile, the fixed sample of host
files, the attack probes, and the report table.

  quality.py merge TSV...                    union of access lists (letters merged) on stdout
  quality.py baseline DB PROFILE NAME        one exact-literal rule per recorded path
  quality.py hostfiles OUT                   every regular file under the sampled roots
  quality.py sample HOSTFILES DB PROFILE TSV the over-grant sample, minus what the workload touched
  quality.py probes DB PROFILE TSV           attack probes, minus what the workload really did
  quality.py report BASE WORKLOAD...         the table (markdown) and the details
"""
import hashlib
import os
import sqlite3
import sys

from strace_accesses import escape_field, owned_by_root

ROOTS = ["/etc", "/usr", "/var", "/root", "/home", "/opt", "/srv"]
SAMPLE_SIZE = 2000
LETTERS = "rwalkmx"

# core/observation.h access:: bits and obs_flag:: bits.
READ, WRITE, APPEND, CREATE, REMOVE, RENAME_SRC, RENAME_DST, LINK, LOCK, SETATTR, MMAP_EXEC, EXEC = (
    1 << i for i in range(12))
TRUNCATED, DISCONNECTED, DIRECTORY = 1, 4, 16

FILE_PROBES = {
    "r": ["/etc/shadow", "/etc/gshadow", "/etc/sudoers", "/etc/sudoers.d/README", "/root/.ssh/id_rsa",
          "/root/.ssh/authorized_keys", "/home/user/.ssh/id_ed25519", "/root/.bash_history",
          "/etc/ssl/private/ssl-cert-snakeoil.key", "/proc/kcore", "/proc/1/environ", "/proc/1/mem",
          "/boot/vmlinuz", "/boot/grub/grub.cfg", "/sys/kernel/security/apparmor/profiles"],
    "w": ["/etc/passwd", "/etc/shadow", "/etc/sudoers", "/etc/cron.d/armorer-probe",
          "/etc/ld.so.preload", "/etc/profile.d/armorer-probe.sh", "/root/.bashrc",
          "/root/.ssh/authorized_keys",
          "/proc/sys/kernel/core_pattern", "/proc/sysrq-trigger", "/sys/kernel/security/apparmor/.load",
          "/usr/bin/ls", "/usr/lib/x86_64-linux-gnu/libc.so.6", "/boot/vmlinuz",
          "/var/spool/cron/crontabs/root", "/root/.Private/armorer-probe"],
    "m": ["/tmp/armorer-probe.so", "/dev/shm/armorer-probe.so"],
    "x": ["/bin/bash", "/bin/dash", "/usr/bin/curl", "/usr/bin/wget", "/usr/bin/nc", "/usr/bin/python3",
          "/usr/bin/perl", "/usr/bin/ssh", "/usr/bin/sudo", "/usr/bin/su", "/usr/sbin/insmod",
          "/bin/busybox", "/tmp/armorer-probe", "/dev/shm/armorer-probe", "/root/.Private/armorer-probe"],
}
CAPABILITY_PROBES = ["sys_admin", "sys_module", "net_raw", "sys_ptrace", "sys_rawio", "dac_read_search",
                     "bpf", "net_admin", "mac_admin"]
NETWORK_PROBES = ["inet raw", "inet6 raw", "packet raw", "packet dgram"]


def unescape_field(text):
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            n = text[i + 1]
            if n in "01234567":
                out.append(chr(int(text[i + 1:i + 4], 8)))
                i += 4
                continue
            out.append({"t": "\t", "n": "\n"}.get(n, n))
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def read_tsv(path):
    """(kind, object) -> [owner, letters]; kind is "file", "capability" or "network"."""
    accesses = {}
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            kind, perms, obj = line.split("\t", 2)
            owner = kind == "owner file"
            kind = "file" if owner else kind
            entry = accesses.setdefault((kind, unescape_field(obj)), [owner, set()])
            entry[0] = entry[0] and owner
            entry[1].update(perms.replace("-", ""))
    return accesses


def tsv_line(kind, owner, letters, obj):
    if kind != "file":
        return f"{kind}\t-\t{obj}\n"
    order = "".join(c for c in LETTERS if c in letters)
    return f"{'owner file' if owner else 'file'}\t{order}\t{escape_field(obj)}\n"


def letters_of(bits):
    out = set()
    if bits & READ:
        out.add("r")
    if bits & (WRITE | CREATE | REMOVE | RENAME_SRC | RENAME_DST | SETATTR):
        out.add("w")
    elif bits & APPEND:
        out.add("a")
    for bit, letter in ((LINK, "l"), (LOCK, "k"), (MMAP_EXEC, "m"), (EXEC, "x")):
        if bits & bit:
            out.add(letter)
    return out


def recorded(db, profile):
    """What the training runs recorded: {path: letters}, capabilities, network "family type"."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    con.text_factory = lambda b: b.decode("utf-8", "surrogateescape")
    files, caps, nets = {}, set(), set()
    for kind, obj, bits, flags in con.execute(
            "SELECT kind, object, access, flags FROM observations WHERE profile = ?", (profile,)):
        if kind in ("file", "exec"):
            if flags & (TRUNCATED | DISCONNECTED) or not obj.startswith("/"):
                continue
            if flags & DIRECTORY and not obj.endswith("/"):
                obj += "/"
            files.setdefault(obj, set()).update(letters_of(bits) | ({"x"} if kind == "exec" else set()))
        elif kind == "capability":
            caps.add(obj)
        elif kind == "network":
            nets.add(" ".join(obj.split()[:2]))
    con.close()
    return files, caps, nets


def aare_escape(path):
    out = []
    for i, ch in enumerate(path):
        if ch in "\\*?[]{},^":
            out.append("\\" + ch)
        elif ch == "/" and i > 0 and path[i - 1] == "/":
            out.append("\\/")
        else:
            out.append(ch)
    return "".join(out)


def quoted(pattern):
    out = ['"']
    for ch in pattern:
        if ch == '"':
            out.append('\\"')
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append("\\%03o" % ord(ch))
        else:
            out.append(ch)
    return "".join(out) + '"'


def baseline(db, profile, name):
    files, caps, nets = recorded(db, profile)
    lines = ["abi <abi/3.0>,", "include <tunables/global>", "",
             f"profile {name} flags=(attach_disconnected,mediate_deleted) {{"]
    lines += [f"  capability {c}," for c in sorted(caps)]
    lines += [f"  network {n}," for n in sorted(nets)]
    for path in sorted(files):
        letters = files[path]
        perms = "".join(c for c in "rwalkm" if c in letters and not (c == "a" and "w" in letters))
        if "x" in letters:
            perms += "ix"
        lines.append(f"  {quoted(aare_escape(path))} {perms},")
    lines.append("}")
    sys.stdout.write("\n".join(lines) + "\n")


def hostfiles(out):
    with open(out, "w", encoding="utf-8", errors="surrogateescape") as f:
        for root in ROOTS:
            for top, dirs, names in os.walk(root):
                dirs.sort()
                for name in sorted(names):
                    path = os.path.join(top, name)
                    try:
                        if os.path.isfile(path) and not os.path.islink(path) and "\n" not in path:
                            f.write(path + "\n")
                    except OSError:
                        pass


def touched(db, profile, tsv):
    files, caps, nets = recorded(db, profile)
    test = read_tsv(tsv)
    paths = {p.rstrip("/") for p in files} | {o.rstrip("/") for (k, o) in test if k == "file"}
    execs = {p for p, l in files.items() if "x" in l} | {o for (k, o), e in test.items() if "x" in e[1]}
    did = {(p, c) for p, l in files.items() for c in l}
    did |= {(o, c) for (k, o), e in test.items() for c in e[1]}
    return paths, execs, did, caps, nets | {o for (k, o) in test if k == "network"}


def sample(hostfile_list, db, profile, tsv):
    paths, _, _, _, _ = touched(db, profile, tsv)
    by_root = {root: [] for root in ROOTS}
    with open(hostfile_list, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            path = line.rstrip("\n")
            if path in paths:
                continue
            root = next(r for r in ROOTS if path == r or path.startswith(r + "/"))
            digest = hashlib.sha256(path.encode("utf-8", "surrogateescape")).hexdigest()
            by_root[root].append((digest, path))
    # Round robin over the roots in hash order: a fixed sample in which /etc, /var and the home
    # directories weigh as much as the much larger /usr.
    for root in by_root:
        by_root[root].sort()
    chosen, index = [], 0
    while len(chosen) < SAMPLE_SIZE and any(index < len(v) for v in by_root.values()):
        for root in ROOTS:
            if index < len(by_root[root]) and len(chosen) < SAMPLE_SIZE:
                chosen.append(by_root[root][index][1])
        index += 1
    for path in sorted(chosen):
        sys.stdout.write(tsv_line("file", owned_by_root(path), "rwx", path))


def probes(db, profile, tsv):
    _, execs, did, caps, nets = touched(db, profile, tsv)
    for letter, paths in FILE_PROBES.items():
        for path in paths:
            real = os.path.realpath(path) if letter == "x" else path
            if (letter == "x" and real in execs) or (real, letter) in did:
                continue
            sys.stdout.write(tsv_line("file", owned_by_root(real), letter, real))
    for cap in CAPABILITY_PROBES:
        if cap not in caps:
            sys.stdout.write(tsv_line("capability", True, "", cap))
    for net in NETWORK_PROBES:
        if net not in nets:
            sys.stdout.write(tsv_line("network", True, "", net))


def merge(paths):
    merged = {}
    for path in paths:
        for key, (owner, letters) in read_tsv(path).items():
            entry = merged.setdefault(key, [owner, set()])
            entry[0] = entry[0] and owner
            entry[1] |= letters
    for (kind, obj), (owner, letters) in sorted(merged.items()):
        sys.stdout.write(tsv_line(kind, owner, letters, obj))


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "report":
        from quality_report import report
        report(args[0], args[1:])
    else:
        {"merge": lambda: merge(args), "baseline": lambda: baseline(*args),
         "hostfiles": lambda: hostfiles(*args), "sample": lambda: sample(*args),
         "probes": lambda: probes(*args)}[command]()
