// SPDX-License-Identifier: GPL-2.0
/* armorer's in-kernel recorder: follows the target's processes from BTF tracepoints, resolves
 * the paths AppArmor would mediate from the kernel's own objects, and sends each unique fact
 * once through a ring buffer. Everything here must pass the verifier on kernels without
 * BPF-LSM or fentry (see ../shared/PLATFORM.md), so it only uses tp_btf programs. */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "bpf/events.h"
#include "bpf/syscalls_x86_64.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by user space between open and load. */
const volatile __u32 target_mode = TARGET_PIDS;
const volatile __u64 target_cgroup = 0;
const volatile __u32 self_tgid = 0;
const volatile __u32 require_exec = 0; /* cgroup mode: follow a task only after its exec */
/* Address range of security_capable(): a cap_capable call that returns into it came through
 * the LSM layer (AppArmor is asked); one that does not is a no-audit probe such as
 * cap_vm_enough_memory. Ranges of *_noaudit callers mark checks AppArmor never logs. */
const volatile __u64 cap_lsm_lo = 0, cap_lsm_hi = 0;
const volatile __u64 cap_noaudit_lo[4] = {}, cap_noaudit_hi[4] = {};
/* security_vm_enough_memory_mm and cap_vm_enough_memory: the no-audit CAP_SYS_ADMIN probe of
 * every mmap and brk, the commonest check of all. */
const volatile __u64 cap_vmem_lo[2] = {}, cap_vmem_hi[2] = {};
/* The consumer is woken when this many bytes wait in the ring buffer (0: for every event, the
 * kernel's default). Each wake-up is an inter-processor interrupt, a VM exit on a guest: waking
 * per event doubled the recorder's cost on file-heavy workloads (docs/performance.md). */
const volatile __u64 wakeup_bytes = 0;

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
#define PIPEFS_MAGIC_V 0x50495045
#define SOCKFS_MAGIC_V 0x534F434B
#define ANON_INODE_MAGIC_V 0x09041934
#define DATA_MASK (sizeof(((struct armorer_event *)0)->data) - 1)

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 8 << 20); /* resized by user space (--buffer-size) */
} events SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 32768); /* resized by user space (--max-processes) */
  __type(key, __u32); /* tgid */
  __type(value, struct armorer_task);
} tasks SEC(".maps");

struct dedup_key {
  __u64 subject;
  __u64 hash;
  __u32 type;
  __u32 access_flags;
};

struct {
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

struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, 65536); /* a quarter of `seen`, set by user space */
  __type(key, struct fd_key);
  __type(value, __u8);
} seen_fd SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct armorer_event);
} scratch_event SEC(".maps");

struct path_scratch {
  char buf[ARMORER_PATH_MAX + 256]; /* slack so that masked writes stay inside */
};

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct path_scratch);
} scratch_path SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, STAT_COUNT);
  __type(key, __u32);
  __type(value, __u64);
} stats SEC(".maps");

static __always_inline void stat_add(__u32 which, __u64 n) {
  __u64 *v = bpf_map_lookup_elem(&stats, &which);
  if (v) *v += n;
}

/* ---- which tasks are traced ------------------------------------------------------------ */

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

/* ---- path resolution ------------------------------------------------------------------- */

struct walk_ctx {
  struct dentry *dentry;
  struct vfsmount *vfsmnt;
  struct dentry *root_dentry;
  struct vfsmount *root_mnt;
  __u32 pos;
  __u32 flags;
  __u32 done;
};

static __always_inline struct mount *real_mount(struct vfsmount *vfsmnt) {
  return (struct mount *)((void *)vfsmnt - bpf_core_field_offset(struct mount, mnt));
}

/* One path component per call: prepend "/name" at ctx->pos, or cross a mount point. */
static long walk_step(__u32 index, struct walk_ctx *c) {
  struct dentry *d = c->dentry;
  struct vfsmount *vfsmnt = c->vfsmnt;
  if (d == c->root_dentry && vfsmnt == c->root_mnt) {
    c->done = 1;
    return 1;
  }
  struct dentry *mnt_root = BPF_CORE_READ(vfsmnt, mnt_root);
  struct dentry *parent = BPF_CORE_READ(d, d_parent);
  if (d == mnt_root) {
    struct mount *m = real_mount(vfsmnt);
    struct mount *up = BPF_CORE_READ(m, mnt_parent);
    if (up == m) { /* namespace root reached without meeting the task's root */
      c->flags |= EVF_DISCONNECTED;
      c->done = 1;
      return 1;
    }
    c->dentry = BPF_CORE_READ(m, mnt_mountpoint);
    c->vfsmnt = (struct vfsmount *)((void *)up + bpf_core_field_offset(struct mount, mnt));
    return 0;
  }
  if (d == parent) { /* a root that is not a mount root: unreachable from here */
    c->flags |= EVF_DISCONNECTED;
    c->done = 1;
    return 1;
  }
  struct qstr name;
  if (bpf_core_read(&name, sizeof(name), &d->d_name)) return 1;
  __u32 len = name.len;
  if (len > 255 || len + 1 > c->pos) {
    c->flags |= EVF_TRUNCATED;
    c->done = 1;
    return 1;
  }
  __u32 zero = 0;
  struct path_scratch *ps = bpf_map_lookup_elem(&scratch_path, &zero);
  if (!ps) return 1;
  c->pos -= len;
  bpf_probe_read_kernel(&ps->buf[c->pos & (ARMORER_PATH_MAX - 1)], len & 255, name.name);
  c->pos -= 1;
  ps->buf[c->pos & (ARMORER_PATH_MAX - 1)] = '/';
  c->dentry = parent;
  return 0;
}

/* Writes the path of (dentry, vfsmnt) as seen from the current task's root into ev->data at
 * offset 0 and sets ev->path_len; returns 0 on success. */
static __always_inline int resolve_path(struct armorer_event *ev, struct dentry *dentry,
                                        struct vfsmount *vfsmnt) {
  __u32 zero = 0;
  struct path_scratch *ps = bpf_map_lookup_elem(&scratch_path, &zero);
  if (!ps || !dentry || !vfsmnt) return -1;
  struct task_struct *task = (struct task_struct *)bpf_get_current_task();
  struct walk_ctx c = {
      .dentry = dentry,
      .vfsmnt = vfsmnt,
      .root_dentry = BPF_CORE_READ(task, fs, root.dentry),
      .root_mnt = BPF_CORE_READ(task, fs, root.mnt),
      .pos = ARMORER_PATH_MAX - 1,
  };
  bpf_loop(ARMORER_MAX_DEPTH, walk_step, &c, 0);
  if (!c.done) c.flags |= EVF_TRUNCATED;
  __u32 len = (ARMORER_PATH_MAX - 1) - c.pos;
  if (len == 0) {
    ev->data[0] = '/';
    len = 1;
  } else {
    bpf_probe_read_kernel(ev->data, len & (ARMORER_PATH_MAX - 1),
                          &ps->buf[c.pos & (ARMORER_PATH_MAX - 1)]);
  }
  ev->path_len = len;
  ev->flags |= c.flags;
  if (BPF_CORE_READ(dentry, d_hash.pprev) == NULL && BPF_CORE_READ(dentry, d_parent) != dentry)
    ev->flags |= EVF_DELETED;
  return 0;
}

/* ---- hashing and sending --------------------------------------------------------------- */

struct hash_ctx {
  __u64 hash;
  __u32 len;
};

static long hash_word(__u32 index, struct hash_ctx *h) {
  __u32 zero = 0;
  struct armorer_event *ev = bpf_map_lookup_elem(&scratch_event, &zero);
  if (!ev) return 1;
  __u32 off = index * 8;
  if (off >= h->len) return 1;
  __u64 word = *(__u64 *)&ev->data[off & (DATA_MASK - 7)];
  __u32 left = h->len - off;
  if (left < 8) word &= (1ull << (left * 8)) - 1;
  h->hash = (h->hash ^ word) * 0x100000001b3ull;
  h->hash ^= h->hash >> 29;
  return 0;
}

/* FNV-style hash of the event's strings; the same bytes always give the same subject id. */
static __always_inline __u64 hash_data(struct armorer_event *ev, __u64 seed) {
  struct hash_ctx h = {.hash = 0xcbf29ce484222325ull ^ seed,
                       .len = (__u32)ev->path_len + (__u32)ev->name_len};
  if (h.len > DATA_MASK - 8) h.len = DATA_MASK - 8;
  bpf_loop((h.len + 7) / 8, hash_word, &h, 0);
  return h.hash;
}

static __always_inline struct armorer_event *new_event(__u32 type, __u32 tgid, __u64 subject) {
  __u32 zero = 0;
  struct armorer_event *ev = bpf_map_lookup_elem(&scratch_event, &zero);
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

/* Where the consumer stood when a wake-up was last asked for (shared by all CPUs; a race only
 * costs an extra wake-up). */
__u64 woken_at_consumer_pos = ~0ull;

/* The process whose exit wakes the consumer at once (the target's root, set by user space);
 * other exits wait for the next wake-up or poll timeout. Waking for every exit cost an
 * interrupt per process on exec-heavy workloads. */
__u32 wake_on_exit_of = 0;

/* Wakes the consumer once wakeup_bytes wait, and when the target's root exits so that its end
 * is noticed at once; below the mark the consumer finds the events at its poll timeout. A level,
 * not an edge: a crossing judged from a snapshot of the waiting bytes can be missed (two CPUs
 * sending at once), and a consumer never woken lets the buffer overflow. But only once per
 * consumer position: asking again before it has read anything would cost an interrupt per
 * event exactly when the consumer is already behind. */
static __always_inline __u64 wakeup_flag(const struct armorer_event *ev, __u64 size) {
  if (!wakeup_bytes || (ev->type == EV_EXIT && ev->pid == wake_on_exit_of)) return BPF_RB_FORCE_WAKEUP;
  if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) + size < wakeup_bytes) return BPF_RB_NO_WAKEUP;
  __u64 consumer = bpf_ringbuf_query(&events, BPF_RB_CONS_POS);
  if (consumer == woken_at_consumer_pos) return BPF_RB_NO_WAKEUP;
  woken_at_consumer_pos = consumer;
  return BPF_RB_FORCE_WAKEUP;
}

static __always_inline int send_event(struct armorer_event *ev) {
  __u64 size = offsetof(struct armorer_event, data) + (__u64)ev->path_len + (__u64)ev->name_len;
  if (size > sizeof(*ev)) size = sizeof(*ev);
  if (bpf_ringbuf_output(&events, ev, size, wakeup_flag(ev, size))) {
    stat_add(STAT_LOST, 1);
    return -1;
  }
  stat_add(STAT_EVENTS, 1);
  return 0;
}

/* Sends ev unless (subject, type, access, flags, object) was already sent; a fact that could
 * not be sent is forgotten again so that its next occurrence retries. */
static __always_inline int send_unique(struct armorer_event *ev, __u64 object_hash) {
  struct dedup_key key = {.subject = ev->subject,
                          .hash = object_hash,
                          .type = ev->type,
                          .access_flags = ev->access | (ev->flags << 16)};
  __u64 *count = bpf_map_lookup_elem(&seen, &key);
  if (count) {
    __sync_fetch_and_add(count, 1);
    stat_add(STAT_DEDUP_HITS, 1);
    return 1;
  }
  __u64 one = 1;
  bpf_map_update_elem(&seen, &key, &one, BPF_NOEXIST);
  if (send_event(ev)) {
    bpf_map_delete_elem(&seen, &key);
    return -1;
  }
  return 0;
}

/* The executable of the current task, sent once per task that first shows up outside an exec
 * (seeded pids, cgroup members). */
static __always_inline __u64 ensure_subject(struct armorer_task *t, __u32 tgid) {
  if (t->subject) return t->subject;
  struct task_struct *task = (struct task_struct *)bpf_get_current_task();
  struct file *exe = BPF_CORE_READ(task, mm, exe_file);
  struct armorer_event *ev = new_event(EV_SUBJECT, tgid, 0);
  if (!ev || !exe) return 0;
  if (resolve_path(ev, BPF_CORE_READ(exe, f_path.dentry), BPF_CORE_READ(exe, f_path.mnt)))
    return 0;
  __u64 subject = hash_data(ev, 0);
  ev->subject = subject;
  if (send_event(ev)) return 0; /* try again on the next event */
  t->subject = subject;
  return subject;
}

/* Reports system call `id` the first time this process makes it (once per program: exec
 * clears the set). Called when a call returns, and for the calls that never do (exit,
 * exit_group; a successful execve) from the exit and exec tracepoints. */
static __always_inline void note_syscall(struct armorer_task *t, __u32 tgid, long id) {
  if (id < 0 || id >= 512) return;
  __u64 bit = 1ull << (id & 63);
  __u64 *word = &t->syscalls[(id >> 6) & 7];
  if (*word & bit) return;
  __sync_fetch_and_or(word, bit);
  __u64 subject = ensure_subject(t, tgid);
  struct armorer_event *ev = new_event(EV_SYSCALL, tgid, subject);
  if (!ev) return;
  ev->a = id;
  if (send_unique(ev, (__u64)id) < 0) __sync_fetch_and_and(word, ~bit);
}

/* True when process tgid is recorded; reports call nr for it. Global, so verified once: the
 * branches in here, inlined before the dispatch below, had the verifier walk that dispatch
 * several times (0.2 s more at every start). */
__noinline int traced_call(__u32 tgid, long nr, long ret) {
  struct armorer_task *t = traced_task(tgid);
  if (!t) return 0;
  /* A successful execve was reported by on_exec, for the program that made it. */
  if (!((nr == NR_execve || nr == NR_execveat) && ret == 0)) note_syscall(t, tgid, nr);
  return 1;
}

/* The saved user registers of `task` while it is inside a system call (orig_ax = the call,
 * the others its arguments), or NULL: ax holds -ENOSYS until the call returns, and an interrupt
 * or a fault leaves the user's ax and puts no call number in orig_ax. */
static __always_inline struct pt_regs *syscall_regs(struct task_struct *task) {
  struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);
  if (!regs || regs->ax != (unsigned long)-ENOSYS_VALUE) return NULL;
  return regs;
}

/* Reports the call `task` is inside of if it is `first` or `second`: the calls that never return
 * to sys_exit in the program that made them (exit and exit_group end the thread; a successful
 * execve returns in the new program). */
static __always_inline void report_unreturned_call(struct armorer_task *t, __u32 tgid,
                                                   struct task_struct *task, long first,
                                                   long second) {
  if (!t->subject || (t->flags & TASK_AWAIT_EXEC)) return;
  struct pt_regs *regs = syscall_regs(task);
  if (!regs) return;
  long nr = regs->orig_ax;
  if (nr == first || nr == second) traced_call(tgid, nr, -1);
}

/* ---- process lifecycle ----------------------------------------------------------------- */

SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child) {
  __u32 ptgid = BPF_CORE_READ(parent, tgid);
  __u32 ctgid = BPF_CORE_READ(child, tgid);
  if (ptgid == ctgid) return 0; /* a new thread, same process */
  struct armorer_task *pt = bpf_map_lookup_elem(&tasks, &ptgid);
  if (!pt) return 0;
  struct armorer_task copy = *pt;
  if (bpf_map_update_elem(&tasks, &ctgid, &copy, BPF_ANY)) {
    stat_add(STAT_TASKS_FULL, 1);
    return 0;
  }
  struct armorer_event *ev = new_event(EV_FORK, ctgid, copy.subject);
  if (!ev) return 0;
  ev->aux = ptgid;
  send_event(ev);
  return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm) {
  __u32 tgid = bpf_get_current_pid_tgid() >> 32;
  if (tgid == self_tgid) return 0;
  struct armorer_task *t = bpf_map_lookup_elem(&tasks, &tgid);
  if (!t) {
    if (target_mode != TARGET_CGROUP || bpf_get_current_cgroup_id() != target_cgroup) return 0;
    struct armorer_task fresh = {};
    bpf_map_update_elem(&tasks, &tgid, &fresh, BPF_NOEXIST);
    t = bpf_map_lookup_elem(&tasks, &tgid);
    if (!t) {
      stat_add(STAT_TASKS_FULL, 1);
      return 0;
    }
  }
  report_unreturned_call(t, tgid, p, NR_execve, NR_execveat); /* for the old program */
  struct armorer_event *ev = new_event(EV_EXEC, tgid, 0);
  if (!ev) return 0;
  ev->aux = t->subject;
  t->flags &= ~TASK_AWAIT_EXEC;
  for (int i = 0; i < 8; i++) t->syscalls[i] = 0; /* a new program: report its calls anew */
  struct file *file = BPF_CORE_READ(bprm, file);
  if (resolve_path(ev, BPF_CORE_READ(file, f_path.dentry), BPF_CORE_READ(file, f_path.mnt)))
    return 0;
  __u64 subject = hash_data(ev, 0);
  t->subject = subject;
  ev->subject = subject;
  ev->access = ACC_EXEC;
  /* A script: bprm->file is now its interpreter; keep the name the script was run by. */
  const char *filename = BPF_CORE_READ(bprm, filename);
  if (BPF_CORE_READ(bprm, interp) != filename) {
    long n = bpf_probe_read_kernel_str(&ev->data[ev->path_len & (ARMORER_PATH_MAX - 1)],
                                       ARMORER_NAME_MAX, filename);
    if (n > 1) {
      ev->name_len = n - 1;
      ev->flags |= EVF_SCRIPT;
    }
  }
  send_event(ev);
  return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_exit, struct task_struct *task) {
  __u32 tgid = BPF_CORE_READ(task, tgid);
  struct armorer_task *t = bpf_map_lookup_elem(&tasks, &tgid);
  if (!t) return 0;
  report_unreturned_call(t, tgid, task, NR_exit, NR_exit_group); /* a thread ending through one */
  /* Only the last thread of a process ends it (signal->live already counted down). */
  if (BPF_CORE_READ(task, signal, live.counter) != 0) return 0;
  __u64 subject = t->subject;
  bpf_map_delete_elem(&tasks, &tgid);
  struct armorer_event *ev = new_event(EV_EXIT, tgid, subject);
  if (ev) {
    ev->a = BPF_CORE_READ(task, exit_code);
    send_event(ev);
  }
  return 0;
}

/* ---- capabilities ---------------------------------------------------------------------- */

static __always_inline int in_range(__u64 addr, __u64 lo, __u64 hi) {
  return lo && addr >= lo && addr < hi;
}

enum cap_verdict { CAP_UNDECIDED = -1, CAP_NOAUDIT = 0, CAP_AUDITED = 1, CAP_VMEM_PROBE = 2 };

/* Judges a capability check from the first `frames` return addresses of its kernel stack:
 * CAP_AUDITED when AppArmor is asked (through security_capable, not from a *_noaudit caller),
 * CAP_VMEM_PROBE for the memory-accounting probe, CAP_NOAUDIT for another no-audit check, and
 * CAP_UNDECIDED when these frames do not tell (only when fewer than the whole stack were taken). */
static __always_inline int judge_capability_check(const __u64 *stack, long bytes, int frames) {
  int lsm_at = -1;
  for (int i = 0; i < 12; i++) {
    if (i >= frames || i * 8 >= bytes) break;
    for (int j = 0; j < 2; j++)
      if (in_range(stack[i], cap_vmem_lo[j], cap_vmem_hi[j])) return CAP_VMEM_PROBE;
    for (int j = 0; j < 4; j++)
      if (in_range(stack[i], cap_noaudit_lo[j], cap_noaudit_hi[j])) return CAP_NOAUDIT;
    if (lsm_at < 0 && in_range(stack[i], cap_lsm_lo, cap_lsm_hi)) lsm_at = i;
  }
  if (frames >= 12 || bytes < frames * 8) return lsm_at >= 0 ? CAP_AUDITED : CAP_NOAUDIT;
  if (lsm_at >= 0 && lsm_at + 1 < frames) return CAP_AUDITED; /* its caller was seen too */
  return CAP_UNDECIDED;
}

/* The memory-accounting probe (vm_enough_memory: CAP_SYS_ADMIN, never audited) runs on every
 * mmap, brk, fork and tmpfs page, and telling it apart costs a stack unwind: most of the
 * recorder's cost on exec-heavy workloads (docs/performance.md). So its verdict is remembered
 * per class of system call, but only for calls that cannot make an audited CAP_SYS_ADMIN check:
 * memory calls on anonymous memory or regular files (not device or perf mappings), fork and
 * clone without new namespaces by root (a non-root fork over RLIMIT_NPROC asks for it), execve
 * (the new stack and argument pages) and writes to regular tmpfs files. Other calls are unwound
 * every time. */
enum vmem_class {
  VMEM_NONE, VMEM_BRK, VMEM_MPROTECT, VMEM_MREMAP, VMEM_MMAP_ANON, VMEM_MMAP_FILE, VMEM_FORK,
  VMEM_TMPFS_WRITE, VMEM_EXEC, VMEM_CLASSES = 16 /* a power of two */
};
__u8 vmem_probe_class[VMEM_CLASSES];

#define CAP_SYS_ADMIN_VALUE 21
#define CLONE_NEW_FLAGS 0x7e020080ull /* NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET|NEWTIME */
#define S_IFREG_BITS 0100000
#define TMPFS_MAGIC_V 0x01021994

static __always_inline struct file *fd_file(int fd);

static __always_inline int regular_file(int fd, int tmpfs_only) {
  struct file *f = fd_file(fd);
  if (!f) return 0;
  struct inode *inode = BPF_CORE_READ(f, f_inode);
  if ((BPF_CORE_READ(inode, i_mode) & S_IFMT_BITS) != S_IFREG_BITS) return 0;
  return !tmpfs_only || BPF_CORE_READ(inode, i_sb, s_magic) == TMPFS_MAGIC_V;
}

/* Global, so verified once on its own: inlined, it multiplied the states of the stack judging
 * and cost 0.18 s of verifier time at every start. */
__noinline int vmem_class(void) {
  struct task_struct *task = bpf_get_current_task_btf();
  struct pt_regs *regs = syscall_regs(task); /* a page fault is in no call */
  if (!regs) return VMEM_NONE;
  switch (regs->orig_ax) {
    case NR_brk: return VMEM_BRK;
    case NR_mprotect: return VMEM_MPROTECT;
    case NR_mremap: return VMEM_MREMAP;
    case NR_mmap:
      if (regs->r10 & MAP_ANON_FLAG) return VMEM_MMAP_ANON;
      return regular_file((int)regs->r8, 0) ? VMEM_MMAP_FILE : VMEM_NONE;
    case NR_fork: case NR_vfork: case NR_clone:
      if (regs->orig_ax == NR_clone && (regs->di & CLONE_NEW_FLAGS)) return VMEM_NONE;
      return BPF_CORE_READ(task, real_cred, uid.val) == 0 ? VMEM_FORK : VMEM_NONE;
    case NR_execve: case NR_execveat: return VMEM_EXEC;
    case NR_write: case NR_pwrite64: case NR_writev: case NR_pwritev: case NR_pwritev2:
    case NR_fallocate:
      return regular_file((int)regs->di, 1) ? VMEM_TMPFS_WRITE : VMEM_NONE;
  }
  return VMEM_NONE;
}

SEC("tp_btf/cap_capable")
int BPF_PROG(on_capable, const struct cred *cred, struct user_namespace *target_ns,
             const struct user_namespace *capable_ns, int cap, int ret) {
  __u32 tgid = bpf_get_current_pid_tgid() >> 32;
  struct armorer_task *t = traced_task(tgid);
  if (!t) return 0;
  /* Masked: the verifier needs the index bounded, and VMEM_CLASSES is a power of two. A known
   * memory probe (one per anonymous mmap: cat makes one per file) is dropped before anything
   * else is looked up. */
  int vmem = (cap_lsm_lo && cap == CAP_SYS_ADMIN_VALUE ? vmem_class() : VMEM_NONE) & (VMEM_CLASSES - 1);
  if (vmem != VMEM_NONE && vmem_probe_class[vmem]) {
    stat_add(STAT_CAP_NOISE, 1);
    return 0;
  }
  __u64 subject = ensure_subject(t, tgid);
  struct dedup_key key = {.subject = subject, .hash = (__u64)cap, .type = EV_CAP};
  __u64 *count = bpf_map_lookup_elem(&seen, &key);
  if (count) {
    __sync_fetch_and_add(count, 1);
    return 0;
  }
  if (cap_lsm_lo) {
    /* Unwinding is most of this program's cost: five frames (this program, the tracepoint,
     * cap_capable, its caller and the caller's caller) decide almost every check; only the
     * others pay for twelve. */
    __u64 stack[12] = {};
    long n = bpf_get_stack(ctx, stack, 5 * sizeof(__u64), 0);
    int verdict = judge_capability_check(stack, n, 5);
    if (verdict == CAP_UNDECIDED) {
      n = bpf_get_stack(ctx, stack, sizeof(stack), 0);
      verdict = judge_capability_check(stack, n, 12);
    }
    if (verdict == CAP_VMEM_PROBE) {
      /* Classified again rather than kept from above: a value live across ensure_subject's
       * branches kept the verifier from merging them (0.05 s more at every start). */
      int again = (cap == CAP_SYS_ADMIN_VALUE ? vmem_class() : VMEM_NONE) & (VMEM_CLASSES - 1);
      if (again != VMEM_NONE) vmem_probe_class[again] = 1;
    }
    if (verdict != CAP_AUDITED) {
      stat_add(STAT_CAP_NOISE, 1);
      return 0;
    }
  }
  struct armorer_event *ev = new_event(EV_CAP, tgid, subject);
  if (!ev) return 0;
  ev->a = cap;
  ev->b = ret;
  send_unique(ev, (__u64)cap);
  return 0;
}

/* ---- system calls ---------------------------------------------------------------------- */

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
  __u64 subject = ensure_subject(t, tgid);
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
  if (resolve_path(ev, dentry, mnt)) return;
  if (send_unique(ev, hash_data(ev, 0)) > 0) { /* sent before: opened again, remember it */
    __u8 one = 1;
    bpf_map_update_elem(&seen_fd, &fk, &one, BPF_ANY);
  }
}

/* Records a path operation given as (dirfd, user name): the directory is resolved here, the
 * name is sent as given and joined and normalised in user space. */
static __always_inline void record_name(struct armorer_task *t, __u32 tgid, int dirfd,
                                        const char *uname, __u32 access, __u32 flags) {
  if (!uname) return;
  __u64 subject = ensure_subject(t, tgid);
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
    if (resolve_path(ev, BPF_CORE_READ(task, fs, pwd.dentry), BPF_CORE_READ(task, fs, pwd.mnt)))
      return;
  } else {
    struct file *dir = fd_file(dirfd);
    if (!dir) return;
    if (resolve_path(ev, BPF_CORE_READ(dir, f_path.dentry), BPF_CORE_READ(dir, f_path.mnt)))
      return;
  }
  long n = bpf_probe_read_user_str(&ev->data[ev->path_len & (ARMORER_PATH_MAX - 1)],
                                   ARMORER_NAME_MAX, uname);
  if (n <= 1) return;
  if (n >= ARMORER_NAME_MAX) ev->flags |= EVF_TRUNCATED;
  ev->name_len = n - 1;
  send_unique(ev, hash_data(ev, 1));
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
  __u64 subject = ensure_subject(t, tgid);
  struct armorer_event *ev = new_event(EV_NET, tgid, subject);
  if (!ev) return;
  ev->a = family;
  ev->b = type & 0xf; /* strip SOCK_CLOEXEC / SOCK_NONBLOCK */
  ev->c = protocol;
  send_unique(ev, ((__u64)ev->a << 40) | ((__u64)ev->b << 32) | ev->c);
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
