// SPDX-License-Identifier: GPL-2.0
/* Path resolution from the kernel's own objects: the walk from a dentry up to the task's root,
 * crossing mount points, as AppArmor mediates it (symlinks and relative names already
 * resolved; a container's paths as the container sees them). */
#include "bpf/armorer.bpf.h"

#define SLOT_MASK (ARMORER_PATH_MAX - 1)

static __always_inline struct mount *real_mount(struct vfsmount *vfsmnt) {
  return (struct mount *)((void *)vfsmnt - bpf_core_field_offset(struct mount, mnt));
}

/* One step of the walk: prepends "/name" at ps->pos, or crosses a mount point. Returns 1 when
 * the walk is over (root reached, or the path cannot be completed: flags say why). */
static __always_inline int walk_step(struct path_scratch *ps) {
  struct dentry *d = (struct dentry *)ps->dentry;
  struct vfsmount *vfsmnt = (struct vfsmount *)ps->vfsmnt;
  if (ps->dentry == ps->root_dentry && ps->vfsmnt == ps->root_mnt) return 1;
  struct dentry *parent = BPF_CORE_READ(d, d_parent);
  if (d == BPF_CORE_READ(vfsmnt, mnt_root)) {
    struct mount *m = real_mount(vfsmnt);
    struct mount *up = BPF_CORE_READ(m, mnt_parent);
    if (up == m) { /* the namespace's root reached without meeting the task's root */
      ps->flags |= EVF_DISCONNECTED;
      return 1;
    }
    ps->dentry = (__u64)BPF_CORE_READ(m, mnt_mountpoint);
    ps->vfsmnt = (__u64)((void *)up + bpf_core_field_offset(struct mount, mnt));
    return 0;
  }
  if (d == parent) { /* a root that is not a mount root: unreachable from here */
    ps->flags |= EVF_DISCONNECTED;
    return 1;
  }
  struct qstr name;
  if (bpf_core_read(&name, sizeof(name), &d->d_name)) return 1;
  __u32 len = name.len;
  __u32 pos = ps->pos;
  if (len > 255 || len + 1 > pos) {
    ps->flags |= EVF_TRUNCATED;
    return 1;
  }
  pos -= len;
  bpf_probe_read_kernel(&ps->buf[pos & SLOT_MASK], len & 255, name.name);
  pos -= 1;
  ps->buf[pos & SLOT_MASK] = '/';
  ps->pos = pos;
  ps->dentry = (__u64)parent;
  return 0;
}

/* Walks from ps->dentry towards the root, at most ARMORER_MAX_DEPTH steps; 1 when the walk
 * ended (flags say how), 0 when the depth ran out. A global function on its own, so that the
 * verifier enters the loop in one state and nothing but a return follows it. */
__noinline int walk_to_root(void) {
  __u32 zero = 0;
  struct path_scratch *ps = bpf_map_lookup_elem(&scratch_path, &zero);
  if (!ps) return 1;
#pragma clang loop unroll(disable)
  for (int i = 0; i < ARMORER_MAX_DEPTH; i++)
    if (walk_step(ps)) return 1;
  return 0;
}

__noinline int resolve_path(__u64 dentry, __u64 vfsmnt) {
  __u32 zero = 0;
  struct path_scratch *ps = bpf_map_lookup_elem(&scratch_path, &zero);
  if (!ps || !dentry || !vfsmnt) return -1;
  struct task_struct *task = (struct task_struct *)bpf_get_current_task();
  ps->dentry = dentry;
  ps->vfsmnt = vfsmnt;
  ps->root_dentry = (__u64)BPF_CORE_READ(task, fs, root.dentry);
  ps->root_mnt = (__u64)BPF_CORE_READ(task, fs, root.mnt);
  ps->pos = ARMORER_PATH_MAX - 1;
  ps->flags = 0;
  int done = walk_to_root();
  struct armorer_event *ev = bpf_map_lookup_elem(&scratch_event, &zero);
  if (!ev) return -1;
  __u32 flags = ps->flags | (done ? 0 : EVF_TRUNCATED);
  __u32 pos = ps->pos & SLOT_MASK;
  __u32 len = (ARMORER_PATH_MAX - 1) - pos;
  if (len == 0) {
    ev->data[0] = '/';
    len = 1;
  } else {
    bpf_probe_read_kernel(ev->data, len & SLOT_MASK, &ps->buf[pos]);
  }
  ev->path_len = len;
  struct dentry *d = (struct dentry *)dentry;
  if (BPF_CORE_READ(d, d_hash.pprev) == NULL && BPF_CORE_READ(d, d_parent) != d) flags |= EVF_DELETED;
  ev->flags |= flags;
  return 0;
}
