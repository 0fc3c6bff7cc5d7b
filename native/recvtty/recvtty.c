/*
 * recvtty: the receiving end of --console-socket, as runc's contrib/cmd/recvtty is, for tests and
 * for trying ocirt by hand. Listens on PATH, accepts one connection, takes the pty master from its
 * one SCM_RIGHTS message, prints the payload (the pty's name) on stderr, then copies the
 * terminal's output to stdout until every slave is closed (the container exited), and stdin to it.
 *
 * usage: recvtty PATH [--size ROWSxCOLS]   (the size is set on the pty once it arrives)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int listen_on(const char *path) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof addr.sun_path) return errno = ENAMETOOLONG, -1;
  strcpy(addr.sun_path, path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  unlink(path);
  if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(fd, 1) < 0) return -1;
  return fd;
}

/* One message: exactly one fd in SCM_RIGHTS, a 1-4095 byte name. */
static int recv_master(int conn, char *name, size_t n) {
  char control[CMSG_SPACE(sizeof(int) * 4)];
  struct iovec iov = {.iov_base = name, .iov_len = n - 1};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
  ssize_t got = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
  struct cmsghdr *cm = got > 0 ? CMSG_FIRSTHDR(&msg) : NULL;
  if (cm == NULL || cm->cmsg_type != SCM_RIGHTS || cm->cmsg_len != CMSG_LEN(sizeof(int))) return errno = EPROTO, -1;
  name[got] = 0;
  int fd;
  memcpy(&fd, CMSG_DATA(cm), sizeof fd);
  return fd;
}

static int pump(int from, int to) {
  char buf[8192];
  ssize_t r = read(from, buf, sizeof buf);
  if (r < 0 && errno == EINTR) return 1;
  for (ssize_t off = 0; r > 0 && off < r;) {
    ssize_t w = write(to, buf + off, (size_t)(r - off));
    if (w < 0) return 0;
    off += w;
  }
  return r > 0;
}

int main(int argc, char **argv) {
  if (argc < 2) return fprintf(stderr, "usage: recvtty PATH [--size ROWSxCOLS]\n"), 2;
  unsigned rows = 0, cols = 0;
  if (argc == 4 && strcmp(argv[2], "--size") == 0) sscanf(argv[3], "%ux%u", &rows, &cols);
  signal(SIGPIPE, SIG_IGN);
  int sock = listen_on(argv[1]);
  if (sock < 0) return perror("listen"), 1;
  int conn = accept4(sock, NULL, NULL, SOCK_CLOEXEC);
  if (conn < 0) return perror("accept"), 1;
  char name[4096];
  int master = recv_master(conn, name, sizeof name);
  if (master < 0) return perror("recvmsg"), 1;
  close(conn);
  close(sock);
  unlink(argv[1]);
  fprintf(stderr, "recvtty: %s\n", name);
  struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
  if (rows && cols) ioctl(master, TIOCSWINSZ, &ws);
  int in = 1;
  for (;;) {
    struct pollfd p[2] = {{.fd = master, .events = POLLIN}, {.fd = in ? 0 : -1, .events = POLLIN}};
    if (poll(p, 2, -1) < 0 && errno != EINTR) return 1;
    if (p[0].revents && !pump(master, 1)) return 0; /* EIO: no slave is open any more */
    if (p[1].revents && !pump(0, master)) in = 0;
  }
}
