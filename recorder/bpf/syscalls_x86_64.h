/* x86_64 system call numbers the recorder resolves at sys_exit or classifies for capability
 * checks (the ABI is stable; the Debian 12 uapi headers predate fchmodat2, so the numbers are
 * written out here). */
#ifndef ARMORER_SYSCALLS_X86_64_H
#define ARMORER_SYSCALLS_X86_64_H
#define NR_write 1
#define NR_open 2
#define NR_access 21
#define NR_mmap 9
#define NR_mprotect 10
#define NR_brk 12
#define NR_rt_sigreturn 15
#define NR_pwrite64 18
#define NR_writev 20
#define NR_mremap 25
#define NR_connect 42
#define NR_socket 41
#define NR_bind 49
#define NR_socketpair 53
#define NR_clone 56
#define NR_fork 57
#define NR_vfork 58
#define NR_execve 59
#define NR_exit 60
#define NR_fcntl 72
#define NR_flock 73
#define NR_truncate 76
#define NR_ftruncate 77
#define NR_rename 82
#define NR_mkdir 83
#define NR_rmdir 84
#define NR_creat 85
#define NR_link 86
#define NR_unlink 87
#define NR_symlink 88
#define NR_chmod 90
#define NR_fchmod 91
#define NR_chown 92
#define NR_fchown 93
#define NR_lchown 94
#define NR_mknod 133
#define NR_exit_group 231
#define NR_openat 257
#define NR_mkdirat 258
#define NR_mknodat 259
#define NR_fchownat 260
#define NR_unlinkat 263
#define NR_renameat 264
#define NR_linkat 265
#define NR_symlinkat 266
#define NR_fchmodat 268
#define NR_fallocate 285
#define NR_pwritev 296
#define NR_execveat 322
#define NR_renameat2 316
#define NR_pwritev2 328
#define NR_openat2 437
#define NR_fchmodat2 452
#define NR_faccessat 269
#define NR_faccessat2 439
#endif
