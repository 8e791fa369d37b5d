#!/usr/bin/python3
"""strace -f -y output -> the accesses AppArmor 3 would mediate, as `armorer check --accesses`
TSV lines (KIND<TAB>PERMS<TAB>OBJECT).

An independent reference for the evaluation: it shares no code with armorer's recorder. What is
kept, and why (security/apparmor in the kernel):
  - successful open/openat/openat2/creat: r/w/a from the access mode, O_TRUNC and O_CREAT ask
    for w (aa_map_file_to_perms), O_PATH opens are not mediated; the path is strace's resolved
    <path> of the returned fd, directories get a trailing '/';
  - mmap with PROT_EXEC of a file: m;
  - execve/execveat that succeeded: x on the resolved program;
  - mkdir/rmdir/unlink/mknod/symlink (creation or deletion of the name), chmod/chown/truncate
    (on the file they resolve to, /proc/self/fd/N magic links included): w;
  - rename: r+w on the old name (apparmor_path_rename asks MAY_READ too), w on the new;
  - link: l on the new name; flock/fcntl locks: k, plus w for a write lock;
  - bind/connect of a unix socket to a path: w on the path;
  - socket/socketpair: network FAMILY TYPE.
Not mediated, so dropped: stat/access/readlink/chdir/getdents/utimes/xattrs, reads and writes
on open fds, and every call that failed (a failed lookup never reaches the LSM hook).

Usage: strace_accesses.py STRACE_OUTPUT INITIAL_CWD  (TSV on stdout)
"""
import os
import re
import sys

LINE = re.compile(r"^(\d+)\s+(.*)$")
CALL = re.compile(r"^([a-z0-9_]+)\((.*)\) += (.*)$", re.S)
FD = re.compile(r"^(-?\d+|AT_FDCWD)<(.*)>$", re.S)
RESULT_FD = re.compile(r"^(\d+)<(.*)>")


def c_unescape(text):
    """strace's quoting: \\n \\t \\" \\\\ \\xHH \\ooo, as bytes decoded with surrogateescape."""
    out = bytearray()
    i = 0
    raw = text.encode("utf-8", "surrogateescape")
    simple = {ord("n"): 10, ord("t"): 9, ord("r"): 13, ord("v"): 11, ord("f"): 12,
              ord('"'): 34, ord("\\"): 92}
    while i < len(raw):
        c = raw[i]
        if c != 92 or i + 1 == len(raw):
            out.append(c)
            i += 1
            continue
        n = raw[i + 1]
        if n in simple:
            out.append(simple[n])
            i += 2
        elif n == ord("x"):
            out.append(int(raw[i + 2:i + 4], 16))
            i += 4
        elif 48 <= n <= 55:
            j = i + 1
            while j < len(raw) and j < i + 4 and 48 <= raw[j] <= 55:
                j += 1
            out.append(int(raw[i + 1:j], 8))
            i = j
        else:
            out.append(n)
            i += 2
    return out.decode("utf-8", "surrogateescape")


def split_args(text):
    """Top-level comma split that respects quotes, [...], {...}, (...) and <path> annotations."""
    args, depth, current, quoted, i = [], 0, "", False, 0
    while i < len(text):
        c = text[i]
        if quoted:
            current += c
            if c == "\\" and i + 1 < len(text):
                current += text[i + 1]
                i += 1
            elif c == '"':
                quoted = False
        elif c == '"':
            quoted = True
            current += c
        elif c in "[{(<":
            depth += 1
            current += c
        elif c in "]})>":
            depth -= 1
            current += c
        elif c == "," and depth == 0:
            args.append(current.strip())
            current = ""
        else:
            current += c
        i += 1
    if current.strip():
        args.append(current.strip())
    return args


def string_arg(arg):
    if not arg.startswith('"'):
        return None
    end = arg.rfind('"')
    return c_unescape(arg[1:end])


def fd_path(arg):
    m = FD.match(arg)
    if not m:
        return None
    path = c_unescape(m.group(2))
    if path.endswith(" (deleted)"):
        path = path[: -len(" (deleted)")]
    return path if path.startswith("/") else None


class Converter:
    def __init__(self, initial_cwd):
        self.initial_cwd = initial_cwd
        self.cwd = {}
        self.pending = {}
        self.fds = {}  # pid -> {fd: path}
        self.accesses = {}  # (kind, object) -> set of letters

    def add_file(self, path, letters, directory=False):
        if not path or not path.startswith("/"):
            return
        path = os.path.normpath(path)
        if path == "//":
            path = "/"
        if directory and not path.endswith("/"):
            path += "/"
        self.accesses.setdefault(("file", path), set()).update(letters)

    def add_setattr(self, path):
        self.add_file(path, {"w"}, bool(path) and os.path.isdir(path))

    def add(self, kind, obj):
        self.accesses.setdefault((kind, obj), set())

    def resolve(self, pid, dirfd_arg, path, follow=False):
        """An absolute path for a path argument, relative to its dirfd (or the cwd), with symlinks
        resolved as the kernel resolves them for the call: in the parent always, in the last
        component only when the call follows it (chmod, chown, truncate, execve). /proc/self
        and the /proc/PID/fd/N magic links are resolved from the traced process's own state,
        not the converter's."""
        if path is None:
            return None
        if not path.startswith("/"):
            base = fd_path(dirfd_arg) if dirfd_arg else None
            if base is None:
                base = self.cwd.get(pid, self.initial_cwd)
            path = os.path.join(base, path)
        path = re.sub(r"^/proc/(self|thread-self)(?=/|$)", f"/proc/{pid}", os.path.normpath(path))
        magic = re.match(r"^/proc/(\d+)/fd/(\d+)$", path)
        if magic and follow:
            return self.fds.get(int(magic.group(1)), {}).get(int(magic.group(2)))
        if follow:
            return os.path.realpath(path)
        parent, name = os.path.split(path)
        return os.path.join(os.path.realpath(parent), name)

    def track_fds(self, pid, args, result):
        """Which file each fd of each process names, from the <path> annotations of -y."""
        table = self.fds.setdefault(pid, {})
        for text in args + [result.split(" ")[0]]:
            m = FD.match(text)
            if m and m.group(1) != "AT_FDCWD":
                path = fd_path(text)
                if path:
                    table[int(m.group(1))] = path

    def feed(self, line):
        m = LINE.match(line)
        if not m:
            return
        pid, rest = int(m.group(1)), m.group(2)
        if rest.endswith("<unfinished ...>"):
            self.pending[pid] = rest[: -len("<unfinished ...>")].rstrip()
            return
        resumed = re.match(r"^<\.\.\. [a-z0-9_]+ resumed>(.*)$", rest, re.S)
        if resumed:
            rest = self.pending.pop(pid, "") + resumed.group(1)
        call = CALL.match(rest)
        if not call:
            return
        name, args, result = call.group(1), split_args(call.group(2)), call.group(3)
        for arg in args:  # keep the cwd that -y shows for AT_FDCWD
            if arg.startswith("AT_FDCWD<"):
                path = fd_path(arg)
                if path:
                    self.cwd[pid] = path
        if result.startswith("-1") or result.startswith("?"):
            return
        self.track_fds(pid, args, result)
        self.handle(pid, name, args, result)

    def handle(self, pid, name, args, result):
        if name in ("open", "openat", "openat2", "creat"):
            m = RESULT_FD.match(result)
            if not m:
                return
            path = c_unescape(m.group(2))
            if name == "creat":
                flags = "O_WRONLY|O_CREAT|O_TRUNC"
            elif name == "open":
                flags = args[1]
            else:
                flags = args[2]
            if "O_PATH" in flags:
                return
            letters = set()
            if "O_RDWR" in flags:
                letters |= {"r", "w"}
            elif "O_WRONLY" in flags:
                letters.add("w")
            else:
                letters.add("r")
            if "O_APPEND" in flags and "w" in letters:
                letters.discard("w")
                letters.add("a")
            if "O_TRUNC" in flags or "O_CREAT" in flags:
                letters.add("w")
            self.add_file(path, letters, "O_DIRECTORY" in flags or os.path.isdir(path))
        elif name in ("mmap", "mmap2") and "PROT_EXEC" in args[2]:
            self.add_file(fd_path(args[4]), {"m"})
        elif name in ("execve", "execveat"):
            path = string_arg(args[0] if name == "execve" else args[1])
            dirfd = None if name == "execve" else args[0]
            self.add_file(self.resolve(pid, dirfd, path, follow=True), {"x"})
        elif name in ("mkdir", "mkdirat"):
            d, p = (None, args[0]) if name == "mkdir" else (args[0], args[1])
            self.add_file(self.resolve(pid, d, string_arg(p)), {"w"}, directory=True)
        elif name == "rmdir":
            self.add_file(self.resolve(pid, None, string_arg(args[0])), {"w"}, directory=True)
        elif name in ("unlink", "unlinkat"):
            d, p = (None, args[0]) if name == "unlink" else (args[0], args[1])
            is_dir = name == "unlinkat" and "AT_REMOVEDIR" in args[2]
            self.add_file(self.resolve(pid, d, string_arg(p)), {"w"}, directory=is_dir)
        elif name in ("rename", "renameat", "renameat2"):
            if name == "rename":
                old = self.resolve(pid, None, string_arg(args[0]))
                new = self.resolve(pid, None, string_arg(args[1]))
            else:
                old = self.resolve(pid, args[0], string_arg(args[1]))
                new = self.resolve(pid, args[2], string_arg(args[3]))
            is_dir = bool(new) and os.path.isdir(new)
            self.add_file(old, {"r", "w"}, is_dir)
            self.add_file(new, {"w"}, is_dir)
        elif name in ("link", "linkat"):
            new = args[1] if name == "link" else args[3]
            d = None if name == "link" else args[2]
            self.add_file(self.resolve(pid, d, string_arg(new)), {"l"})
        elif name in ("symlink", "symlinkat"):
            d, p = (None, args[1]) if name == "symlink" else (args[1], args[2])
            self.add_file(self.resolve(pid, d, string_arg(p)), {"w"})
        elif name in ("mknod", "lchown"):
            self.add_file(self.resolve(pid, None, string_arg(args[0])), {"w"})
        elif name in ("chmod", "chown", "truncate"):
            self.add_setattr(self.resolve(pid, None, string_arg(args[0]), follow=True))
        elif name == "mknodat":
            self.add_file(self.resolve(pid, args[0], string_arg(args[1])), {"w"})
        elif name in ("fchmodat", "fchownat"):
            follow = "AT_SYMLINK_NOFOLLOW" not in args[-1]
            self.add_setattr(self.resolve(pid, args[0], string_arg(args[1]), follow=follow))
        elif name in ("fchmod", "fchown", "ftruncate"):
            self.add_setattr(fd_path(args[0]))
        elif name == "flock":
            self.add_file(fd_path(args[0]), {"k", "w"} if "LOCK_EX" in args[1] else {"k"})
        elif name in ("fcntl", "fcntl64") and re.search(r"F_(OFD_)?SETLKW?\b", args[1]):
            self.add_file(fd_path(args[0]), {"k", "w"} if "F_WRLCK" in args[2] else {"k"})
        elif name in ("bind", "connect") and "AF_UNIX" in args[1]:
            m = re.search(r'sun_path="((?:[^"\\]|\\.)*)"', args[1])
            if m:
                self.add_file(self.resolve(pid, None, c_unescape(m.group(1))), {"w"})
        elif name in ("socket", "socketpair"):
            family = args[0].replace("AF_", "").replace("PF_", "").lower()
            kind = args[1].split("|")[0].replace("SOCK_", "").lower()
            self.add("network", f"{family} {kind}")
        elif name in ("chdir", "fchdir") and result.startswith("0"):
            if name == "fchdir":
                path = fd_path(args[0])
            else:
                path = self.resolve(pid, None, string_arg(args[0]), follow=True)
            if path:
                self.cwd[pid] = path


def escape_field(text):
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\n":
            out.append("\\n")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append("\\%03o" % ord(ch))
        else:
            out.append(ch)
    return "".join(out)


def owned_by_root(path):
    """The workloads run as root: AppArmor's `owner` holds when the file's uid is 0. A name
    that is gone (temp files) was created by the workload itself, so it was root's."""
    try:
        return os.lstat(path.rstrip("/") or "/").st_uid == 0
    except OSError:
        return True


def main():
    converter = Converter(sys.argv[2])
    with open(sys.argv[1], encoding="utf-8", errors="surrogateescape") as trace:
        for line in trace:
            converter.feed(line.rstrip("\n"))
    out = sys.stdout
    for (kind, obj), letters in sorted(converter.accesses.items()):
        if kind == "file":
            order = "".join(c for c in "rwalkmx" if c in letters)
            if "w" in order:
                order = order.replace("a", "")
            qualifier = "owner file" if owned_by_root(obj) else "file"
            out.write(f"{qualifier}\t{order}\t{escape_field(obj)}\n")
        else:
            out.write(f"{kind}\t-\t{obj}\n")


if __name__ == "__main__":
    main()
