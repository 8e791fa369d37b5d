/* A program that makes exactly the system calls an integration test asks for, so that the
 * recording can be compared with what was really done. Usage: workload STEP [ARGS] [-- STEP ...] */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_usr1(int signo) { (void)signo; }

static int fail(const char *step, const char *arg) {
  fprintf(stderr, "workload: %s %s: %s\n", step, arg ? arg : "", strerror(errno));
  return 1;
}

/* Runs one step starting at argv[0]; returns how many arguments it used, or -1. */
static int step(char **argv, int argc) {
  const char *s = argv[0];
  const char *a = argc > 1 ? argv[1] : NULL;
  const char *b = argc > 2 ? argv[2] : NULL;
  int fd;
  if (!strcmp(s, "read") && a) {
    if ((fd = open(a, O_RDONLY)) < 0) return fail(s, a), -1;
    close(fd);
    return 2;
  }
  if (!strcmp(s, "read-at") && a && b) { /* dirfd-relative open */
    int dir = open(a, O_RDONLY | O_DIRECTORY);
    if (dir < 0 || (fd = openat(dir, b, O_RDONLY)) < 0) return fail(s, b), -1;
    close(fd);
    close(dir);
    return 3;
  }
  if (!strcmp(s, "write") && a) {
    if ((fd = open(a, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0) return fail(s, a), -1;
    if (write(fd, "x\n", 2) != 2) return fail(s, a), -1;
    close(fd);
    return 2;
  }
  if (!strcmp(s, "append") && a) {
    if ((fd = open(a, O_WRONLY | O_APPEND)) < 0) return fail(s, a), -1;
    close(fd);
    return 2;
  }
  if (!strcmp(s, "lock") && a) {
    if ((fd = open(a, O_RDONLY)) < 0 || flock(fd, LOCK_EX) < 0) return fail(s, a), -1;
    close(fd);
    return 2;
  }
  if (!strcmp(s, "mmap-exec") && a) {
    if ((fd = open(a, O_RDONLY)) < 0) return fail(s, a), -1;
    void *p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) return fail(s, a), -1;
    munmap(p, 4096);
    close(fd);
    return 2;
  }
  if (!strcmp(s, "mkdir") && a) return mkdir(a, 0755) ? (fail(s, a), -1) : 2;
  if (!strcmp(s, "rmdir") && a) return rmdir(a) ? (fail(s, a), -1) : 2;
  if (!strcmp(s, "unlink") && a) return unlink(a) ? (fail(s, a), -1) : 2;
  if (!strcmp(s, "chmod") && a) return chmod(a, 0600) ? (fail(s, a), -1) : 2;
  if (!strcmp(s, "chmod-fd") && a) { /* chmod through /proc/self/fd/N, as tar -x does */
    char link[64];
    if ((fd = open(a, O_RDONLY)) < 0) return fail(s, a), -1;
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    if (chmod(link, 0640)) return fail(s, link), -1;
    close(fd);
    return 2;
  }
  if (!strcmp(s, "rename") && a && b) return rename(a, b) ? (fail(s, a), -1) : 3;
  if (!strcmp(s, "link") && a && b) return link(a, b) ? (fail(s, a), -1) : 3;
  if (!strcmp(s, "symlink") && a && b) return symlink(a, b) ? (fail(s, b), -1) : 3;
  if (!strcmp(s, "raw-socket")) {
    /* Needs CAP_NET_RAW: the attempt is what matters, not the result. */
    fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
    if (fd >= 0) close(fd);
    return 1;
  }
  if (!strcmp(s, "unix-bind-connect") && a) { /* bind a path socket, then connect to it */
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", a);
    int server = socket(AF_UNIX, SOCK_STREAM, 0);
    if (server < 0 || bind(server, (struct sockaddr *)&addr, sizeof(addr)) || listen(server, 1))
      return fail(s, a), -1;
    int client = socket(AF_UNIX, SOCK_STREAM, 0);
    if (client < 0 || connect(client, (struct sockaddr *)&addr, sizeof(addr))) return fail(s, a), -1;
    close(client);
    close(server);
    return 2;
  }
  if (!strcmp(s, "tcp-socket")) {
    if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) return fail(s, NULL), -1;
    close(fd);
    return 1;
  }
  if (!strcmp(s, "deep") && a && b && argc > 3) { /* deep N DIRNAME FILE: nest, then open */
    int depth = atoi(a);
    for (int i = 0; i < depth; i++)
      if ((mkdir(b, 0755) && errno != EEXIST) || chdir(b)) return fail(s, b), -1;
    if ((fd = open(argv[3], O_WRONLY | O_CREAT, 0644)) < 0) return fail(s, argv[3]), -1;
    close(fd);
    return 4;
  }
  if (!strcmp(s, "sleep") && a) { /* default SIGINT even when started in the background */
    signal(SIGINT, SIG_DFL);
    sleep((unsigned)atoi(a));
    return 2;
  }
  if (!strcmp(s, "await") && a) { /* await PATH: poll until PATH exists */
    while (access(a, F_OK)) usleep(10000);
    return 2;
  }
  if (!strcmp(s, "pause")) { /* block in pause(2) until a signal ends the process */
    syscall(SYS_pause);
    return 1;
  }
  if (!strcmp(s, "signal")) { /* catch a signal of its own: the handler returns by rt_sigreturn */
    signal(SIGUSR1, on_usr1);
    raise(SIGUSR1);
    return 1;
  }
  if (!strcmp(s, "memory") && a) { /* N rounds of the calls that probe vm_enough_memory */
    for (int i = 0; i < atoi(a); i++) {
      void *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p == MAP_FAILED) return fail(s, "mmap"), -1;
      mprotect(p, 4096, PROT_READ);
      munmap(p, 1 << 20);
      pid_t pid = fork();
      if (pid == 0) _exit(0);
      waitpid(pid, NULL, 0);
    }
    return 2;
  }
  if (!strcmp(s, "clone-newns")) { /* clone(2) into a new mount namespace: CAP_SYS_ADMIN */
    long pid = syscall(SYS_clone, CLONE_NEWNS | SIGCHLD, NULL, NULL, NULL, NULL);
    if (pid < 0) return fail(s, NULL), -1;
    if (pid == 0) _exit(0);
    waitpid((pid_t)pid, NULL, 0);
    return 1;
  }
  if (!strcmp(s, "exec") && a) { /* fork + exec a[...] up to the next "--", wait */
    int n = 1;
    while (n < argc && strcmp(argv[n], "--")) n++;
    char **child = calloc(n, sizeof(char *));
    for (int i = 1; i < n; i++) child[i - 1] = argv[i];
    pid_t pid = fork();
    if (pid == 0) {
      execv(child[0], child);
      _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    free(child);
    return n;
  }
  fprintf(stderr, "workload: unknown step '%s'\n", s);
  return -1;
}

int main(int argc, char **argv) {
  int i = 1;
  while (i < argc) {
    if (!strcmp(argv[i], "--")) { i++; continue; }
    int end = i;
    while (end < argc && strcmp(argv[end], "--")) end++;
    int used = step(argv + i, end - i);
    if (used < 0) return 1;
    i += used;
  }
  return 0;
}
