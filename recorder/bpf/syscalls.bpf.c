// SPDX-License-Identifier: GPL-2.0
/* Files, sockets and system calls, all taken where a system call returns: the set of calls each
 * program makes, and for the calls AppArmor mediates, the object they acted on (the opened
 * struct file, or the directory plus the name given for path operations). */
#include "bpf/armorer.bpf.h"

static __always_inline int wanted_at_exit(long nr) {
  switch (nr) {
    case NR_open: case NR_openat: case NR_openat2: case NR_creat: case NR_mmap:
    case NR_socket: case NR_socketpair: case NR_unlink: case NR_unlinkat: case NR_rmdir:
    case NR_mkdir: case NR_mkdirat: case NR_rename: case NR_renameat: case NR_renameat2:
    case NR_link: case NR_linkat: case NR_symlink: case NR_symlinkat: case NR_chmod:
    case NR_fchmod: case NR_fchmodat: case NR_fchmodat2: case NR_chown: case NR_fchown:
    case NR_lchown: case NR_fchownat: case NR_truncate: case NR_ftruncate: case NR_flock:
    case NR_fcntl: case NR_mknod: case NR_mknodat: case NR_bind: case NR_connect:
      return 1;
  }
  return 0;
}

/* Records an access to an open file. */
static __always_inline void record_file(struct armorer_task *t, __u32 tgid, struct file *f,
                                        __u32 access) {
  if (!f || !access) return;
  struct inode *inode = BPF_CORE_READ(f, f_inode);
  unsigned long magic = BPF_CORE_READ(inode, i_sb, s_magic);
  if (magic == PIPEFS_MAGIC_V || magic == SOCKFS_MAGIC_V || magic == ANON_INODE_MAGIC_V) return;
  __u32 flags = 0;
  if ((BPF_CORE_READ(inode, i_mode) & S_IFMT_BITS) == S_IFDIR_BITS) flags |= EVF_DIRECTORY;
  struct task_struct *task = (struct task_struct *)bpf_get_current_task();
  if (BPF_CORE_READ(inode, i_uid.val) == BPF_CORE_READ(task, cred, fsuid.val)) flags |= EVF_OWNER;
  __u64 subject = subject_of(t, tgid);
  struct dentry *dentry = BPF_CORE_READ(f, f_path.dentry);
  struct vfsmount *mnt = BPF_CORE_READ(f, f_path.mnt);
  struct fd_key fk = {.subject = subject,
                      .dentry = (__u64)dentry,
                      .mnt = (__u64)mnt,
                      .ino = BPF_CORE_READ(inode, i_ino),
                      .name_hash_len = BPF_CORE_READ(dentry, d_name.hash_len),
                      .access_flags = access | (flags << 16)};
  if (bpf_map_lookup_elem(&seen_fd, &fk)) {
    stat_add(STAT_DEDUP_HITS, 1);
    return;
  }
  struct armorer_event *ev = new_event(EV_FILE, tgid, subject);
  if (!ev) return;
  ev->access = access;
  ev->flags = flags;
  if (resolve_path((__u64)dentry, (__u64)mnt)) return;
  if (send_unique(hash_event(0)) > 0) { /* sent before: opened again, remember it */
    __u8 one = 1;
    bpf_map_update_elem(&seen_fd, &fk, &one, BPF_ANY);
  }
}

/* Records a path operation given as (dirfd, user name): the directory is resolved here, the
 * name is sent as given and joined and normalised in user space. */
static __always_inline void record_name(struct armorer_task *t, __u32 tgid, int dirfd,
                                        const char *uname, __u32 access, __u32 flags) {
  if (!uname) return;
  __u64 subject = subject_of(t, tgid);
  struct armorer_event *ev = new_event(EV_FILE, tgid, subject);
  if (!ev) return;
  ev->access = access;
  ev->flags = flags | EVF_HAS_NAME;
  char first = 0;
  bpf_probe_read_user(&first, 1, uname);
  if (first == '/') {
    ev->flags |= EVF_NAME_ABSOLUTE;
  } else if (dirfd == AT_FDCWD_VALUE) {
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    if (resolve_path((__u64)BPF_CORE_READ(task, fs, pwd.dentry), (__u64)BPF_CORE_READ(task, fs, pwd.mnt)))
      return;
  } else {
    struct file *dir = fd_file(dirfd);
    if (!dir) return;
    if (resolve_path((__u64)BPF_CORE_READ(dir, f_path.dentry), (__u64)BPF_CORE_READ(dir, f_path.mnt)))
      return;
  }
  long n = bpf_probe_read_user_str(&ev->data[ev->path_len & (ARMORER_PATH_MAX - 1)],
                                   ARMORER_NAME_MAX, uname);
  if (n <= 1) return;
  if (n >= ARMORER_NAME_MAX) ev->flags |= EVF_TRUNCATED;
  ev->name_len = n - 1;
  send_unique(hash_event(1));
}

static __always_inline __u32 open_access(struct file *f) {
  __u32 mode = BPF_CORE_READ(f, f_mode);
  __u32 oflags = BPF_CORE_READ(f, f_flags);
  __u32 access = 0;
  if (mode & FMODE_READ_BIT) access |= ACC_READ;
  if (mode & FMODE_WRITE_BIT) access |= (oflags & O_APPEND_FLAG) ? ACC_APPEND : ACC_WRITE;
  if (oflags & O_TRUNC_FLAG) access |= ACC_WRITE;
  if (mode & FMODE_CREATED_BIT) access |= ACC_CREATE;
  return access;
}

static __always_inline void record_socket(struct armorer_task *t, __u32 tgid, __u64 family,
                                          __u64 type, __u64 protocol) {
  __u64 subject = subject_of(t, tgid);
  struct armorer_event *ev = new_event(EV_NET, tgid, subject);
  if (!ev) return;
  ev->a = family;
  ev->b = type & 0xf; /* strip SOCK_CLOEXEC / SOCK_NONBLOCK */
  ev->c = protocol;
  send_unique(((__u64)ev->a << 40) | ((__u64)ev->b << 32) | ev->c);
}

/* Global (separately verified) entry points, so that each path walk is verified once rather
 * than once per system call that needs it. */
__noinline int record_fd_access(__u32 tgid, int fd, __u32 access) {
  struct armorer_task *t = bpf_map_lookup_elem(&tasks, &tgid);
  if (!t) return 0;
  struct file *f = fd_file(fd);
  if (!f) return 0;
  if (access == 0) access = open_access(f);
  record_file(t, tgid, f, access);
  return 0;
}

/* The descriptor N of a name "/proc/self/fd/N" (chmod through an fd, as tar -x does), or -1:
 * such a call acts on the file behind the descriptor, not on a path under /proc. */
static __always_inline int proc_self_fd(const char *uname) {
  char name[24] = {};
  if (bpf_probe_read_user_str(name, sizeof(name), uname) <= 0) return -1;
  const char prefix[] = "/proc/self/fd/";
  for (int i = 0; i < 14; i++)
    if (name[i] != prefix[i]) return -1;
  int fd = 0;
  for (int i = 14; i < 22; i++) {
    char c = name[i];
    if (c == 0) return i > 14 ? fd : -1;
    if (c < '0' || c > '9') return -1;
    fd = fd * 10 + (c - '0');
  }
  return -1;
}

__noinline int record_path_op(__u32 tgid, int dirfd, __u64 uname, __u32 access, __u32 flags) {
  struct armorer_task *t = bpf_map_lookup_elem(&tasks, &tgid);
  if (!t) return 0;
  int fd = proc_self_fd((const char *)uname);
  if (fd >= 0) {
    record_file(t, tgid, fd_file(fd), access);
    return 0;
  }
  record_name(t, tgid, dirfd, (const char *)uname, access, flags);
  return 0;
}

__noinline int record_socket_create(__u32 tgid, __u64 family, __u64 type, __u64 protocol) {
  struct armorer_task *t = bpf_map_lookup_elem(&tasks, &tgid);
  if (!t) return 0;
  record_socket(t, tgid, family, type, protocol);
  return 0;
}

/* Every system call of every process returns through here, and this is the only per-call
 * program: a second one at sys_enter cost each call of the workload 30-45 ns more
 * (docs/performance.md). The arguments are still in the saved user registers at exit. */
SEC("tp_btf/sys_exit")
int BPF_PROG(on_sys_exit, struct pt_regs *regs, long ret) {
  /* rt_sigreturn restores the registers of the interrupted code and sets orig_ax to -1. */
  long nr = regs->orig_ax == -1 ? NR_rt_sigreturn : regs->orig_ax;
  __u32 tgid = bpf_get_current_pid_tgid() >> 32;
  if (!traced_call(tgid, nr, ret) || !wanted_at_exit(nr)) return 0;
  /* regs is a typed tp_btf argument: plain (CO-RE relocated) loads, not probe-read calls. */
  const __u64 a[6] = {regs->di, regs->si, regs->dx, regs->r10, regs->r8, regs->r9};
  const int cwd = AT_FDCWD_VALUE;

  if (nr == NR_socket || nr == NR_socketpair) {
    /* AppArmor mediates socket creation before the protocol's own checks: an attempt that
     * failed for lack of a capability was still asked for. */
    if (ret >= 0 || ret == -1 /* EPERM */ || ret == -13 /* EACCES */)
      record_socket_create(tgid, a[0], a[1], a[2]);
    return 0;
  }
  if (ret < 0) return 0;
  switch (nr) {
    case NR_open: case NR_openat: case NR_openat2: case NR_creat:
      return record_fd_access(tgid, (int)ret, 0);
    case NR_mmap:
      if ((a[2] & PROT_EXEC_FLAG) && !(a[3] & MAP_ANON_FLAG))
        return record_fd_access(tgid, (int)a[4], ACC_MMAP_EXEC);
      return 0;
    case NR_fchmod: case NR_fchown:
      return record_fd_access(tgid, (int)a[0], ACC_SETATTR);
    case NR_ftruncate:
      return record_fd_access(tgid, (int)a[0], ACC_WRITE);
    case NR_flock:
      return record_fd_access(tgid, (int)a[0], ACC_LOCK);
    case NR_fcntl:
      if (a[1] == 6 || a[1] == 7 || a[1] == 37 || a[1] == 38) /* F_SETLK(W), F_OFD_SETLK(W) */
        return record_fd_access(tgid, (int)a[0], ACC_LOCK);
      return 0;
    case NR_unlink:
      return record_path_op(tgid, cwd, a[0], ACC_REMOVE, 0);
    case NR_rmdir:
      return record_path_op(tgid, cwd, a[0], ACC_REMOVE, EVF_DIRECTORY);
    case NR_unlinkat:
      return record_path_op(tgid, (int)a[0], a[1], ACC_REMOVE,
                            (a[2] & AT_REMOVEDIR_FLAG) ? EVF_DIRECTORY : 0);
    case NR_mkdir:
      return record_path_op(tgid, cwd, a[0], ACC_CREATE, EVF_DIRECTORY);
    case NR_mkdirat:
      return record_path_op(tgid, (int)a[0], a[1], ACC_CREATE, EVF_DIRECTORY);
    case NR_mknod:
      return record_path_op(tgid, cwd, a[0], ACC_CREATE, 0);
    case NR_mknodat:
      return record_path_op(tgid, (int)a[0], a[1], ACC_CREATE, 0);
    case NR_rename:
      record_path_op(tgid, cwd, a[0], ACC_RENAME_SRC, 0);
      return record_path_op(tgid, cwd, a[1], ACC_RENAME_DST, 0);
    case NR_renameat: case NR_renameat2:
      record_path_op(tgid, (int)a[0], a[1], ACC_RENAME_SRC, 0);
      return record_path_op(tgid, (int)a[2], a[3], ACC_RENAME_DST, 0);
    case NR_link:
      return record_path_op(tgid, cwd, a[1], ACC_LINK, 0);
    case NR_linkat:
      return record_path_op(tgid, (int)a[2], a[3], ACC_LINK, 0);
    case NR_symlink:
      return record_path_op(tgid, cwd, a[1], ACC_CREATE, 0);
    case NR_symlinkat:
      return record_path_op(tgid, (int)a[1], a[2], ACC_CREATE, 0);
    case NR_chmod: case NR_chown: case NR_lchown:
      return record_path_op(tgid, cwd, a[0], ACC_SETATTR, 0);
    case NR_fchmodat: case NR_fchmodat2: case NR_fchownat:
      return record_path_op(tgid, (int)a[0], a[1], ACC_SETATTR, 0);
    case NR_truncate:
      return record_path_op(tgid, cwd, a[0], ACC_WRITE, 0);
    case NR_bind: case NR_connect: {
      /* A unix socket with a path is a file to AppArmor: bind creates it, connect writes it. */
      __u16 family = 0;
      char first = 0;
      if (a[2] <= 2 || bpf_probe_read_user(&family, sizeof(family), (const void *)a[1])) return 0;
      if (family != 1 /* AF_UNIX */) return 0;
      if (bpf_probe_read_user(&first, 1, (const char *)a[1] + 2) || first == 0) return 0; /* abstract */
      return record_path_op(tgid, cwd, a[1] + 2,
                            nr == NR_bind ? ACC_CREATE : (ACC_READ | ACC_WRITE), 0);
    }
  }
  return 0;
}
