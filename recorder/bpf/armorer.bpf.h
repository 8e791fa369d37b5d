/* SPDX-License-Identifier: GPL-2.0 */
/* What every program of armorer's in-kernel recorder shares: the maps, the settings user space
 * writes before load, the global helper functions (each verified once, on its own, so that no
 * program's verification grows with the number of call sites) and small inline helpers.
 *
 * The recorder is several .bpf.c files linked into one object (bpftool gen object): one file
 * per hook and kind of fact, over these helpers. state.bpf.c defines what is declared here. */
#ifndef ARMORER_BPF_H
#define ARMORER_BPF_H

#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "bpf/events.h"
#include "bpf/syscalls_x86_64.h"

/* state.bpf.c sets ARMORER_DEFINE_STATE: it holds the one definition of each map and setting,
 * every other file an extern declaration. */
#ifdef ARMORER_DEFINE_STATE
#define ARMORER_SETTING(type, name, init) const volatile type name = init
#define ARMORER_MAP
#else
#define ARMORER_SETTING(type, name, init) extern const volatile type name
#define ARMORER_MAP extern
#endif

/* ---- settings: set by user space between open and load ------------------------------- */
ARMORER_SETTING(__u32, target_mode, TARGET_PIDS);
ARMORER_SETTING(__u64, target_cgroup, 0);
ARMORER_SETTING(__u32, self_tgid, 0);
ARMORER_SETTING(__u32, require_exec, 0); /* cgroup mode: follow a task only after its exec */
/* The consumer is woken when this many bytes wait in the ring buffer (0: for every event). */
ARMORER_SETTING(__u64, wakeup_bytes, 0);

#define ENOSYS_VALUE 38
#define FMODE_READ_BIT 0x1
#define FMODE_WRITE_BIT 0x2
#define FMODE_CREATED_BIT (1u << 20)
#define O_APPEND_FLAG 02000
#define O_TRUNC_FLAG 01000
#define AT_FDCWD_VALUE -100
#define AT_REMOVEDIR_FLAG 0x200
#define PROT_EXEC_FLAG 0x4
#define MAP_ANON_FLAG 0x20
#define S_IFMT_BITS 00170000
#define S_IFDIR_BITS 0040000
#define S_IFREG_BITS 0100000
#define PIPEFS_MAGIC_V 0x50495045
#define SOCKFS_MAGIC_V 0x534F434B
#define ANON_INODE_MAGIC_V 0x09041934
#define TMPFS_MAGIC_V 0x01021994
#define DATA_SIZE (ARMORER_PATH_MAX + ARMORER_NAME_MAX)
#define DATA_MASK (DATA_SIZE - 1)

/* ---- maps ----------------------------------------------------------------------------- */

ARMORER_MAP struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 8 << 20); /* resized by user space (--buffer-size) */
} events SEC(".maps");

ARMORER_MAP struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 32768); /* resized by user space (--max-processes) */
  __type(key, __u32);         /* tgid */
  __type(value, struct armorer_task);
} tasks SEC(".maps");

struct dedup_key {
  __u64 subject;
  __u64 hash;
  __u32 type;
  __u32 access_flags;
};

/* Facts already sent, keyed by (subject, kind, access, object hash). */
ARMORER_MAP struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, 262144); /* resized by user space (--dedup-entries) */
  __type(key, struct dedup_key);
  __type(value, __u64); /* times seen */
} seen SEC(".maps");

/* Cheap first-level de-dup for fd-based accesses, keyed by kernel objects, so that repeated
 * opens of one file cost a hash lookup instead of a path walk. A file enters it on its second
 * open (the first sends the path and enters `seen`): most files a workload touches are read
 * once, and entering each of them cost 0.3 us (docs/performance.md).
 * A dentry freed under memory pressure gives its address to another file's: the inode number
 * and the name's hash are in the key so that the newcomer is not taken for the old file (keyed
 * by the dentry alone, 2,529 of 3,000 files read after a dentry-cache flush went unrecorded). */
struct fd_key {
  __u64 subject;
  __u64 dentry;
  __u64 mnt;
  __u64 ino;
  __u64 name_hash_len;
  __u32 access_flags;
  __u32 pad;
};

ARMORER_MAP struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, 65536); /* a quarter of `seen`, set by user space */
  __type(key, struct fd_key);
  __type(value, __u8);
} seen_fd SEC(".maps");

/* The event being built on this CPU (too large for the 512-byte stack). */
ARMORER_MAP struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct armorer_event);
} scratch_event SEC(".maps");

/* A path is assembled here from its last component backwards. The walk's position and cursor
 * live here too, not in registers: values in map memory are not tracked by the verifier, so
 * every iteration of the walk looks the same to it and the walk verifies in a few thousand
 * instructions on every kernel (a position kept in a register made the verifier explore each
 * iteration's states apart, past its 1,000,000-instruction limit on 6.18). */
struct path_scratch {
  char buf[ARMORER_PATH_MAX + 256]; /* slack so that masked writes stay inside */
  __u64 dentry;
  __u64 vfsmnt;
  __u64 root_dentry;
  __u64 root_mnt;
  __u32 pos;
  __u32 flags;
};

ARMORER_MAP struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct path_scratch);
} scratch_path SEC(".maps");

ARMORER_MAP struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, STAT_COUNT);
  __type(key, __u32);
  __type(value, __u64);
} stats SEC(".maps");

/* ---- global helpers (defined in tasks.bpf.c, paths.bpf.c, output.bpf.c) ----------------- */

/* Writes the path of (dentry, vfsmnt), as seen from the current task's root, at the start of
 * the scratch event's data; sets its path_len and ORs EVF_* flags into it. 0 on success. */
__noinline int resolve_path(__u64 dentry, __u64 vfsmnt);
/* FNV-style hash of the scratch event's strings; the same bytes always give the same value. */
__noinline __u64 hash_event(__u64 seed);
/* Sends the scratch event; 0 on success, -1 if the ring buffer was full (counted as lost). */
__noinline int send_event(void);
/* Sends the scratch event unless (subject, type, access, flags, object) was sent before: 0 sent,
 * 1 a repeat, -1 lost (and forgotten again, so that the next occurrence retries). */
__noinline int send_unique(__u64 object_hash);
/* The subject id (hash of the executable's path) of followed process tgid, announced with an
 * EV_SUBJECT event the first time it is needed; 0 if unknown. Overwrites the scratch event. */
__noinline __u64 ensure_subject(__u32 tgid);
/* True when process tgid is recorded; reports system call nr (returning ret) for it. */
__noinline int traced_call(__u32 tgid, long nr, long ret);
/* Reports the system call the current task is inside of when it is `first` or `second`: for
 * the calls that never return to sys_exit (exit, exit_group; a successful execve). */
__noinline int report_unreturned_call(__u32 tgid, long first, long second);

/* ---- inline helpers ------------------------------------------------------------------- */

static __always_inline void stat_add(__u32 which, __u64 n) {
  __u64 *v = bpf_map_lookup_elem(&stats, &which);
  if (v) *v += n;
}

static __always_inline struct armorer_event *scratch(void) {
  __u32 zero = 0;
  return bpf_map_lookup_elem(&scratch_event, &zero);
}

/* Starts a new event in the scratch buffer. */
static __always_inline struct armorer_event *new_event(__u32 type, __u32 tgid, __u64 subject) {
  struct armorer_event *ev = scratch();
  if (!ev) return NULL;
  ev->type = type;
  ev->pid = tgid;
  ev->subject = subject;
  ev->ts_ns = bpf_ktime_get_boot_ns();
  ev->aux = 0;
  ev->access = 0;
  ev->flags = 0;
  ev->a = ev->b = ev->c = 0;
  ev->path_len = 0;
  ev->name_len = 0;
  return ev;
}

/* The followed process tgid, or NULL. In cgroup mode a process of the target cgroup is
 * followed from its first event on (unless it must exec first). */
static __always_inline struct armorer_task *traced_task(__u32 tgid) {
  if (tgid == self_tgid) return NULL;
  struct armorer_task *t = bpf_map_lookup_elem(&tasks, &tgid);
  if (t) return (t->flags & TASK_AWAIT_EXEC) ? NULL : t;
  if (target_mode != TARGET_CGROUP || require_exec) return NULL;
  if (bpf_get_current_cgroup_id() != target_cgroup) return NULL;
  struct armorer_task fresh = {};
  if (bpf_map_update_elem(&tasks, &tgid, &fresh, BPF_NOEXIST) && bpf_map_lookup_elem(&tasks, &tgid) == NULL) {
    stat_add(STAT_TASKS_FULL, 1);
    return NULL;
  }
  return bpf_map_lookup_elem(&tasks, &tgid);
}

static __always_inline __u64 subject_of(struct armorer_task *t, __u32 tgid) {
  return t->subject ? t->subject : ensure_subject(tgid);
}

static __always_inline struct file *fd_file(int fd) {
  if (fd < 0) return NULL;
  struct task_struct *task = (struct task_struct *)bpf_get_current_task();
  struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
  if ((unsigned int)fd >= BPF_CORE_READ(fdt, max_fds)) return NULL;
  struct file **fds = BPF_CORE_READ(fdt, fd);
  struct file *f = NULL;
  bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
  return f;
}

/* The saved user registers of the current task. bpf_task_pt_regs() (and
 * bpf_get_current_task_btf()) exist from 5.15 on; before it the registers sit at the top of the
 * task's kernel stack (x86_64: 16 KiB, no padding on those kernels). */
static __always_inline struct pt_regs *current_user_regs(void) {
  if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_task_pt_regs))
    return (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
  struct task_struct *task = (struct task_struct *)bpf_get_current_task();
  return (struct pt_regs *)((__u64)BPF_CORE_READ(task, stack) + 16384) - 1;
}

/* The same while the task is inside a system call (orig_ax = the call, the others its
 * arguments), or NULL: ax holds -ENOSYS until the call returns, and an interrupt or a fault
 * leaves the user's ax and puts no call number in orig_ax. */
static __always_inline struct pt_regs *current_syscall_regs(void) {
  struct pt_regs *regs = current_user_regs();
  if (!regs) return NULL;
  if (BPF_CORE_READ(regs, ax) != (unsigned long)-ENOSYS_VALUE) return NULL;
  return regs;
}

#endif
