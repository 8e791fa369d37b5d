/* Syscall-heavy workload: N cheap system calls in a tight loop (the recorder's worst case,
 * since every call crosses its sys_exit program). Usage: syscall_loop N */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s CALLS\n", argv[0]);
    return 2;
  }
  long calls = atol(argv[1]);
  long sum = 0;
  /* syscall() rather than getppid(): no libc wrapper may ever cache the answer. */
  for (long i = 0; i < calls; i++) sum += syscall(SYS_getppid);
  return sum == 0; /* keeps the loop from being optimised away */
}
