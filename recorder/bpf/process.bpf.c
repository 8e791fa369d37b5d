// SPDX-License-Identifier: GPL-2.0
/* Process lifecycle: which processes are followed (fork), what they run (exec: the subject of
 * every later fact, and the exec fact itself) and when they end (exit). */
#include "bpf/armorer.bpf.h"

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
  send_event();
  return 0;
}

/* The followed process tgid at its exec; in cgroup mode a member of the cgroup starts being
 * followed here. */
static __always_inline struct armorer_task *task_at_exec(__u32 tgid) {
  struct armorer_task *t = bpf_map_lookup_elem(&tasks, &tgid);
  if (t) return t;
  if (target_mode != TARGET_CGROUP || bpf_get_current_cgroup_id() != target_cgroup) return NULL;
  struct armorer_task fresh = {};
  bpf_map_update_elem(&tasks, &tgid, &fresh, BPF_NOEXIST);
  t = bpf_map_lookup_elem(&tasks, &tgid);
  if (!t) stat_add(STAT_TASKS_FULL, 1);
  return t;
}

/* ---- the ELF interpreter ---------------------------------------------------------------
 * The kernel opens and maps a dynamic program's interpreter (ld.so) itself, with no system call
 * to see, and AppArmor checks it (r, m). At sched_process_exec the new program's entry point is
 * already set, and for a dynamic program it lies in the interpreter: the file mapped there is
 * the interpreter. Found with bpf_find_vma() (5.17+), or on older kernels by walking the
 * mm's VMA list (gone since the maple tree, 6.1). Two programs, one per way, so that neither
 * holds code its kernel refuses to load (5.10 rejects the callback reference of find_vma). */

struct mm_struct___list {
  struct vm_area_struct *mmap;
} __attribute__((preserve_access_index));

struct vm_area_struct___list {
  struct vm_area_struct *vm_next;
} __attribute__((preserve_access_index));

struct vma_found {
  __u64 file;
};

static long take_vma_file(struct task_struct *task, struct vm_area_struct *vma, struct vma_found *found) {
  found->file = (__u64)BPF_CORE_READ(vma, vm_file); /* a plain value: global functions take no pointers */
  return 0;
}

static __always_inline struct file *file_at_entry(int find_vma) {
  struct pt_regs *regs = current_user_regs();
  if (!regs) return NULL;
  __u64 entry = BPF_CORE_READ(regs, ip);
  if (find_vma) {
    struct vma_found found = {};
    bpf_find_vma(bpf_get_current_task_btf(), entry, take_vma_file, &found, 0);
    return (struct file *)found.file;
  }
  struct task_struct *task = (struct task_struct *)bpf_get_current_task();
  struct mm_struct___list *mm = (struct mm_struct___list *)BPF_CORE_READ(task, mm);
  struct vm_area_struct *vma = BPF_CORE_READ(mm, mmap);
  for (int i = 0; i < 32 && vma; i++) { /* a new program has a dozen mappings */
    if (BPF_CORE_READ(vma, vm_start) <= entry && entry < BPF_CORE_READ(vma, vm_end))
      return BPF_CORE_READ(vma, vm_file);
    vma = BPF_CORE_READ((struct vm_area_struct___list *)vma, vm_next);
  }
  return NULL;
}

/* A file mapped from overlayfs (container storage) is, from 6.8 on, a "backing file" of the
 * layer below: its f_path is the layer's real path, which the walk finds disconnected from the
 * task's root, and the path the task used is kept beside it (backing_file.user_path), which is
 * what /proc/PID/maps shows and AppArmor checked at open. FMODE_BACKING moved from bit 25 to
 * bit 24 in later kernels; either is only trusted for a path that came out disconnected, on a
 * kernel whose backing_file has user_path. */
struct backing_file___user {
  struct file file;
  struct path user_path;
} __attribute__((preserve_access_index));

#define FMODE_BACKING_BITS ((1u << 24) | (1u << 25))

static __always_inline int resolve_file(struct file *f, __u32 tgid, __u64 subject) {
  struct armorer_event *ev = new_event(EV_FILE, tgid, subject);
  if (!ev) return -1;
  ev->access = ACC_READ | ACC_MMAP_EXEC;
  if (resolve_path((__u64)BPF_CORE_READ(f, f_path.dentry), (__u64)BPF_CORE_READ(f, f_path.mnt))) return -1;
  if (!(ev->flags & EVF_DISCONNECTED) || !bpf_core_field_exists(struct backing_file___user, user_path) ||
      !(BPF_CORE_READ(f, f_mode) & FMODE_BACKING_BITS))
    return 0;
  struct backing_file___user *backing = (struct backing_file___user *)f;
  ev = new_event(EV_FILE, tgid, subject);
  if (!ev) return -1;
  ev->access = ACC_READ | ACC_MMAP_EXEC;
  return resolve_path((__u64)BPF_CORE_READ(backing, user_path.dentry), (__u64)BPF_CORE_READ(backing, user_path.mnt));
}

/* Sends the interpreter as a file the new program read and mapped. */
__noinline int record_interpreter(__u32 tgid, __u64 subject, __u64 interpreter) {
  struct file *f = (struct file *)interpreter;
  if (f && resolve_file(f, tgid, subject) == 0) send_unique(hash_event(0));
  return 0;
}

static __always_inline int on_exec_common(struct linux_binprm *bprm, int find_vma) {
  __u32 tgid = bpf_get_current_pid_tgid() >> 32;
  if (tgid == self_tgid) return 0;
  struct armorer_task *t = task_at_exec(tgid);
  if (!t) return 0;
  report_unreturned_call(tgid, NR_execve, NR_execveat); /* for the old program */
  struct armorer_event *ev = new_event(EV_EXEC, tgid, 0);
  if (!ev) return 0;
  ev->aux = t->subject;
  t->flags &= ~TASK_AWAIT_EXEC;
  for (int i = 0; i < 8; i++) t->syscalls[i] = 0; /* a new program: report its calls anew */
  struct file *file = BPF_CORE_READ(bprm, file);
  if (resolve_path((__u64)BPF_CORE_READ(file, f_path.dentry), (__u64)BPF_CORE_READ(file, f_path.mnt)))
    return 0;
  __u64 subject = hash_event(0);
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
  send_event();
  struct file *interpreter = file_at_entry(find_vma);
  if (interpreter && interpreter != file) record_interpreter(tgid, subject, (__u64)interpreter);
  return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm) {
  return on_exec_common(bprm, 1);
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec_vma_list, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm) {
  return on_exec_common(bprm, 0);
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_exit, struct task_struct *task) {
  __u32 tgid = BPF_CORE_READ(task, tgid);
  struct armorer_task *t = bpf_map_lookup_elem(&tasks, &tgid);
  if (!t) return 0;
  report_unreturned_call(tgid, NR_exit, NR_exit_group); /* a thread ending through one */
  /* Only the last thread of a process ends it (signal->live already counted down). */
  if (BPF_CORE_READ(task, signal, live.counter) != 0) return 0;
  __u64 subject = t->subject;
  bpf_map_delete_elem(&tasks, &tgid);
  struct armorer_event *ev = new_event(EV_EXIT, tgid, subject);
  if (ev) {
    ev->a = BPF_CORE_READ(task, exit_code);
    send_event();
  }
  return 0;
}
