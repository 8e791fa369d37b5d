/* Loss stress: creates N distinct empty files DIR/f<i> as fast as it can, so that every
 * open is a new fact the recorder must send. Prints the number created on stdout.
 * Usage: create_files DIR N [PAUSE_MS]  (PAUSE_MS: sleep before exit, 0 by default) */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s DIR COUNT [PAUSE_MS]\n", argv[0]);
    return 2;
  }
  int dir = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) {
    perror(argv[1]);
    return 1;
  }
  long count = atol(argv[2]), created = 0;
  char name[32];
  for (long i = 0; i < count; i++) {
    snprintf(name, sizeof(name), "f%ld", i);
    int fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
      perror(name);
      return 1;
    }
    close(fd);
    created++;
  }
  printf("%ld\n", created);
  fflush(stdout);
  if (argc > 3) {
    long ms = atol(argv[3]);
    struct timespec pause = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&pause, NULL);
  }
  return 0;
}
