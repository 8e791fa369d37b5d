/* Network workload: N loopback TCP connections between a forked server and a client
 * (connect, accept, one byte each way, close). Usage: tcp_loop N */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int die(const char *what) {
  perror(what);
  exit(1);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s CONNECTIONS\n", argv[0]);
    return 2;
  }
  long connections = atol(argv[1]);
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener < 0) die("socket");
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof(addr);
  if (bind(listener, (struct sockaddr *)&addr, sizeof(addr)) || listen(listener, 128) ||
      getsockname(listener, (struct sockaddr *)&addr, &len))
    die("listen");

  pid_t server = fork();
  if (server < 0) die("fork");
  if (server == 0) {
    for (long i = 0; i < connections; i++) {
      int peer = accept(listener, NULL, NULL);
      if (peer < 0) die("accept");
      char byte;
      if (read(peer, &byte, 1) != 1 || write(peer, &byte, 1) != 1) die("server echo");
      close(peer);
    }
    _exit(0);
  }
  close(listener);
  for (long i = 0; i < connections; i++) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) die("socket");
    /* RST instead of TIME_WAIT: thousands of runs must not exhaust the ephemeral ports. */
    struct linger linger = {.l_onoff = 1, .l_linger = 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, sizeof(linger));
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr))) die("connect");
    char byte = 'x';
    if (write(fd, &byte, 1) != 1 || read(fd, &byte, 1) != 1) die("client echo");
    close(fd);
  }
  int status = 0;
  waitpid(server, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
