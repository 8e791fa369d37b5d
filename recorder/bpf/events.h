/* Shared between armorer.bpf.c and the C++ recorder: fixed-width fields, no pointers. */
#ifndef ARMORER_EVENTS_H
#define ARMORER_EVENTS_H

#ifndef __VMLINUX_H__
#include <linux/types.h> /* user space; the BPF side gets __u32 & co. from vmlinux.h */
#endif

#define ARMORER_PATH_MAX 4096   /* resolved path buffer; longer paths are marked truncated */
#define ARMORER_NAME_MAX 1024   /* user-supplied name of a path operation (unlink, mkdir...) */
#define ARMORER_MAX_DEPTH 96    /* path components walked before giving up (truncated) */

enum armorer_event_type {
  EV_SUBJECT = 1, /* subject id → executable path (first event of a task not seen at exec) */
  EV_EXEC = 2,    /* a task exec'd: new subject id + path; aux = previous subject */
  EV_FORK = 3,    /* a traced task forked: pid = child tgid, aux = parent tgid */
  EV_EXIT = 4,    /* a traced process exited */
  EV_FILE = 5,    /* data = resolved path [+ name relative to it] */
  EV_CAP = 6,     /* a = capability number */
  EV_NET = 7,     /* a = family, b = type, c = protocol */
  EV_SYSCALL = 8, /* a = syscall number */
};

/* Flags of EV_FILE (mirrors core/observation.h obs_flag where the meaning is the same). */
#define EVF_TRUNCATED (1u << 0)
#define EVF_DELETED (1u << 1)
#define EVF_DISCONNECTED (1u << 2)
#define EVF_OWNER (1u << 3)
#define EVF_DIRECTORY (1u << 4)
#define EVF_HAS_NAME (1u << 8)    /* data holds a directory path, then a name relative to it */
#define EVF_NAME_ABSOLUTE (1u << 9) /* the name is absolute: ignore the directory part */
#define EVF_SCRIPT (1u << 10)     /* EV_EXEC: name = the script as given to execve */

/* Access bits of EV_FILE: identical to core/observation.h access:: bits. */
#define ACC_READ (1u << 0)
#define ACC_WRITE (1u << 1)
#define ACC_APPEND (1u << 2)
#define ACC_CREATE (1u << 3)
#define ACC_REMOVE (1u << 4)
#define ACC_RENAME_SRC (1u << 5)
#define ACC_RENAME_DST (1u << 6)
#define ACC_LINK (1u << 7)
#define ACC_LOCK (1u << 8)
#define ACC_SETATTR (1u << 9)
#define ACC_MMAP_EXEC (1u << 10)
#define ACC_EXEC (1u << 11)

/* Target selection (const volatile globals of the BPF program). */
enum armorer_target_mode {
  TARGET_PIDS = 0,   /* tasks map seeded by user space; children follow through fork */
  TARGET_CGROUP = 1, /* every task of one cgroup v2 (id = inode of its directory) */
};

/* Counters in the per-CPU `stats` array. */
enum armorer_stat {
  STAT_EVENTS = 0,     /* events written to the ring buffer */
  STAT_LOST = 1,       /* events the ring buffer had no room for */
  STAT_DEDUP_HITS = 2, /* facts suppressed because they were already sent */
  STAT_TASKS_FULL = 3, /* processes not followed because the task map was full */
  STAT_CAP_NOISE = 4,  /* capability checks classified as no-audit noise */
  STAT_COUNT = 5,
};

struct armorer_event {
  __u32 type;
  __u32 pid;       /* tgid of the acting process */
  __u64 subject;   /* hash of the acting executable's path */
  __u64 ts_ns;     /* bpf_ktime_get_boot_ns */
  __u64 aux;
  __u32 access;
  __u32 flags;
  __u32 a, b, c;
  __u16 path_len;  /* bytes of the first string in data (no NUL) */
  __u16 name_len;  /* bytes of the second string, after the first */
  char data[ARMORER_PATH_MAX + ARMORER_NAME_MAX];
};

#define TASK_AWAIT_EXEC (1u << 0) /* seeded by user space: ignore it until its exec */

struct armorer_task {
  __u64 subject;      /* 0 until known */
  __u32 flags;        /* TASK_* */
  __u32 pad;
  __u64 syscalls[8];  /* syscall numbers < 512 already reported for this process */
};

#endif
