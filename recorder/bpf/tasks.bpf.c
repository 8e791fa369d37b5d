// SPDX-License-Identifier: GPL-2.0
/* The followed processes: who they are (their executable, announced once) and which system
 * calls each program has made. */
#include "bpf/armorer.bpf.h"

__noinline __u64 ensure_subject(__u32 tgid) {
  struct armorer_task *t = bpf_map_lookup_elem(&tasks, &tgid);
  if (!t) return 0;
  if (t->subject) return t->subject;
  struct task_struct *task = (struct task_struct *)bpf_get_current_task();
  struct file *exe = BPF_CORE_READ(task, mm, exe_file);
  struct armorer_event *ev = new_event(EV_SUBJECT, tgid, 0);
  if (!ev || !exe) return 0;
  if (resolve_path((__u64)BPF_CORE_READ(exe, f_path.dentry), (__u64)BPF_CORE_READ(exe, f_path.mnt)))
    return 0;
  __u64 subject = hash_event(0);
  ev->subject = subject;
  if (send_event()) return 0; /* try again on the next event */
  t->subject = subject;
  return subject;
}

/* Reports system call `id` the first time this process makes it (once per program: exec
 * clears the set). Plain, not atomic, read-modify-writes: atomic OR and AND need 5.12, and a
 * bit lost to a race between two threads only costs one repeated event, which `seen` drops. */
static __always_inline void note_syscall(struct armorer_task *t, __u32 tgid, long id) {
  if (id < 0 || id >= 512) return;
  __u64 bit = 1ull << (id & 63);
  __u64 *word = &t->syscalls[(id >> 6) & 7];
  if (*word & bit) return;
  *word |= bit;
  __u64 subject = subject_of(t, tgid);
  struct armorer_event *ev = new_event(EV_SYSCALL, tgid, subject);
  if (!ev) return;
  ev->a = id;
  if (send_unique((__u64)id) < 0) *word &= ~bit;
}

__noinline int traced_call(__u32 tgid, long nr, long ret) {
  struct armorer_task *t = traced_task(tgid);
  if (!t) return 0;
  /* A successful execve was reported by on_exec, for the program that made it. */
  if (!((nr == NR_execve || nr == NR_execveat) && ret == 0)) note_syscall(t, tgid, nr);
  return 1;
}

__noinline int report_unreturned_call(__u32 tgid, long first, long second) {
  struct armorer_task *t = bpf_map_lookup_elem(&tasks, &tgid);
  if (!t || !t->subject || (t->flags & TASK_AWAIT_EXEC)) return 0;
  struct pt_regs *regs = current_syscall_regs();
  if (!regs) return 0;
  long nr = BPF_CORE_READ(regs, orig_ax);
  if (nr == first || nr == second) traced_call(tgid, nr, -1);
  return 0;
}
