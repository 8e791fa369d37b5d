/* Loss stress: creates N distinct empty files DIR/f<i> as fast as it can, so that every
 * open is a new fact the recorder must send. Prints the number created on stdout.
 * Usage: create_files DIR N [PAUSE_MS [stop-parent]]
 *   PAUSE_MS     sleep after the burst, before the last system calls and the exit, so that a
 *                recorder whose buffer overflowed has drained it by then (default 0)
 *   stop-parent  SIGSTOP the parent (armorer learn) during the burst and SIGCONT it after:
 *                the ring buffer then certainly overflows, for a deterministic loss test
 * Every system call it makes after the burst is one it already made before, except those
 * after the pause: under a recorder, only file creations can be lost. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void pause_ms(long ms) {
  struct timespec pause = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&pause, NULL);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s DIR COUNT [PAUSE_MS [stop-parent]]\n", argv[0]);
    return 2;
  }
  long count = atol(argv[2]), created = 0;
  long pause = argc > 3 ? atol(argv[3]) : 0;
  int stop_parent = argc > 4 && strcmp(argv[4], "stop-parent") == 0;
  int dir = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) {
    perror(argv[1]);
    return 1;
  }
  pid_t parent = getppid();
  pause_ms(0);                           /* nanosleep: first use before the burst */
  if (stop_parent) kill(parent, SIGCONT); /* kill: first use, while the parent runs */
  if (stop_parent) kill(parent, SIGSTOP);
  char name[32];
  for (long i = 0; i < count; i++) {
    snprintf(name, sizeof(name), "f%ld", i);
    int fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
      if (stop_parent) kill(parent, SIGCONT);
      perror(name);
      return 1;
    }
    close(fd);
    created++;
  }
  if (stop_parent) kill(parent, SIGCONT);
  if (pause > 0) pause_ms(pause);
  printf("%ld\n", created);
  return 0;
}
