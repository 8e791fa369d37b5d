// SPDX-License-Identifier: GPL-2.0
/* Capability checks, from whichever hook the kernel has (user space picks one, see
 * recorder/attach_plan.cpp): the cap_capable tracepoint (newest kernels), an fexit or a kprobe
 * on cap_capable() (distribution kernels without the tracepoint). Only checks AppArmor is asked
 * about and would log are facts; no-audit probes are noise. fexit and kprobe see cap_capable's
 * `opts`, which says so directly; the tracepoint does not, so there the kernel stack tells. */
#include "bpf/armorer.bpf.h"

/* Address range of security_capable(): a cap_capable call that returns into it came through
 * the LSM layer (AppArmor is asked); one that does not is a no-audit probe such as
 * cap_vm_enough_memory. Ranges of *_noaudit callers mark checks AppArmor never logs. */
const volatile __u64 cap_lsm_lo = 0, cap_lsm_hi = 0;
const volatile __u64 cap_noaudit_lo[4] = {}, cap_noaudit_hi[4] = {};
/* security_vm_enough_memory_mm and cap_vm_enough_memory: the no-audit CAP_SYS_ADMIN probe of
 * every mmap and brk, the commonest check of all. */
const volatile __u64 cap_vmem_lo[2] = {}, cap_vmem_hi[2] = {};

#define CAP_SYS_ADMIN_VALUE 21
#define CAP_OPT_NOAUDIT_BIT 0x2 /* include/linux/security.h, stable since 5.1 */
#define CLONE_NEW_FLAGS 0x7e020080ull /* NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET|NEWTIME */

/* True when (subject, cap) was sent before; counts the repeat. */
static __always_inline int capability_seen(__u64 subject, int cap) {
  struct dedup_key key = {.subject = subject, .hash = (__u64)cap, .type = EV_CAP};
  __u64 *count = bpf_map_lookup_elem(&seen, &key);
  if (!count) return 0;
  __sync_fetch_and_add(count, 1);
  return 1;
}

static __always_inline void send_capability(__u32 tgid, __u64 subject, int cap, int ret) {
  struct armorer_event *ev = new_event(EV_CAP, tgid, subject);
  if (!ev) return;
  ev->a = cap;
  ev->b = ret;
  send_unique((__u64)cap);
}

/* AppArmor asks the label of the credentials checked, not the task's. Code that acts for
 * someone else under override_creds() checks that one's credentials: overlayfs (and backing
 * files) check the mounter's on every first lookup of a file (CAP_SYS_ADMIN for its trusted.*
 * xattrs: every container on overlay storage would otherwise "need" sys_admin). Only access()
 * overrides with a copy of the task's own credentials, whose checks are the task's. */
static __always_inline int checks_another_label(const struct cred *cred) {
  struct task_struct *task = (struct task_struct *)bpf_get_current_task();
  if (cred == BPF_CORE_READ(task, real_cred) || cred != BPF_CORE_READ(task, cred)) return 0;
  struct pt_regs *regs = current_syscall_regs();
  long nr = regs ? BPF_CORE_READ(regs, orig_ax) : -1;
  return nr != NR_access && nr != NR_faccessat && nr != NR_faccessat2;
}

/* fexit and kprobe: cap_capable(cred, target_ns, cap, opts). */
static __always_inline int on_cap_capable(const struct cred *cred, int cap, unsigned int opts, int ret) {
  __u32 tgid = bpf_get_current_pid_tgid() >> 32;
  struct armorer_task *t = traced_task(tgid);
  if (!t) return 0;
  if ((opts & CAP_OPT_NOAUDIT_BIT) || checks_another_label(cred)) {
    stat_add(STAT_CAP_NOISE, 1);
    return 0;
  }
  __u64 subject = subject_of(t, tgid);
  if (!capability_seen(subject, cap)) send_capability(tgid, subject, cap, ret);
  return 0;
}

SEC("fexit/cap_capable")
int BPF_PROG(on_capable_fexit, const struct cred *cred, struct user_namespace *target_ns, int cap,
             unsigned int opts, int ret) {
  return on_cap_capable(cred, cap, opts, ret);
}

SEC("kprobe/cap_capable")
int BPF_KPROBE(on_capable_kprobe, const struct cred *cred, struct user_namespace *target_ns, int cap,
               unsigned int opts) {
  return on_cap_capable(cred, cap, opts, 0);
}

/* ---- the tracepoint: judged from the kernel stack -------------------------------------- */

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

static __always_inline int regular_file(int fd, int tmpfs_only) {
  struct file *f = fd_file(fd);
  if (!f) return 0;
  struct inode *inode = BPF_CORE_READ(f, f_inode);
  if ((BPF_CORE_READ(inode, i_mode) & S_IFMT_BITS) != S_IFREG_BITS) return 0;
  return !tmpfs_only || BPF_CORE_READ(inode, i_sb, s_magic) == TMPFS_MAGIC_V;
}

/* Global, so verified once on its own: inlined, it multiplied the states of the stack judging. */
__noinline int vmem_class(void) {
  struct pt_regs *regs = current_syscall_regs(); /* a page fault is in no call */
  if (!regs) return VMEM_NONE;
  long nr = BPF_CORE_READ(regs, orig_ax);
  switch (nr) {
    case NR_brk: return VMEM_BRK;
    case NR_mprotect: return VMEM_MPROTECT;
    case NR_mremap: return VMEM_MREMAP;
    case NR_mmap:
      if (BPF_CORE_READ(regs, r10) & MAP_ANON_FLAG) return VMEM_MMAP_ANON;
      return regular_file((int)BPF_CORE_READ(regs, r8), 0) ? VMEM_MMAP_FILE : VMEM_NONE;
    case NR_fork: case NR_vfork: case NR_clone: {
      if (nr == NR_clone && (BPF_CORE_READ(regs, di) & CLONE_NEW_FLAGS)) return VMEM_NONE;
      struct task_struct *task = (struct task_struct *)bpf_get_current_task();
      return BPF_CORE_READ(task, real_cred, uid.val) == 0 ? VMEM_FORK : VMEM_NONE;
    }
    case NR_execve: case NR_execveat: return VMEM_EXEC;
    case NR_write: case NR_pwrite64: case NR_writev: case NR_pwritev: case NR_pwritev2:
    case NR_fallocate:
      return regular_file((int)BPF_CORE_READ(regs, di), 1) ? VMEM_TMPFS_WRITE : VMEM_NONE;
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
  if (checks_another_label(cred)) {
    stat_add(STAT_CAP_NOISE, 1);
    return 0;
  }
  __u64 subject = subject_of(t, tgid);
  if (capability_seen(subject, cap)) return 0;
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
      /* Classified again rather than kept from above: a value live across subject_of's
       * branches kept the verifier from merging them. */
      int again = (cap == CAP_SYS_ADMIN_VALUE ? vmem_class() : VMEM_NONE) & (VMEM_CLASSES - 1);
      if (again != VMEM_NONE) vmem_probe_class[again] = 1;
    }
    if (verdict != CAP_AUDITED) {
      stat_add(STAT_CAP_NOISE, 1);
      return 0;
    }
  }
  send_capability(tgid, subject, cap, ret);
  return 0;
}
