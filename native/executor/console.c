/*
 * config.md "Process" terminal, and runc's --console-socket (ENGINES.md "Console socket"). In the
 * host, the executor connects the caller's socket (CONSOLE_CONNECT), or makes a socketpair whose
 * other end it keeps to relay the terminal itself (CONSOLE_PAIR, relay.c). The init, once pivoted,
 * opens a pty on the container's own /dev/ptmx, sends the master over that socket in one sendmsg
 * (its name as the payload, the fd as SCM_RIGHTS) and makes the slave its fds 0-2 and controlling
 * terminal, bound onto /dev/console too (config-linux.md "Default Devices") (PTY_OPEN).
 */
#define _GNU_SOURCE
#include "console.h"

#include "inroot.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/mount.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

static int slot_arg(const struct record *r, unsigned i) {
  int64_t slot = arg_i64(r, i);
  return slot >= 0 && slot < MAX_SLOTS ? (int)slot : (errno = EINVAL, -1);
}

/* connect(2) to a path too long for sun_path goes through its directory's fd (conmon's may be). */
static int connect_path(int sock, const char *path) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(path) < sizeof addr.sun_path) {
    strcpy(addr.sun_path, path);
    return connect(sock, (struct sockaddr *)&addr, sizeof addr);
  }
  char dir[4096], base[4096];
  if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir) return errno = ENAMETOOLONG, -1;
  snprintf(base, sizeof base, "%s", path);
  int dfd = open(dirname(dir), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return -1;
  int n = snprintf(addr.sun_path, sizeof addr.sun_path, "/proc/self/fd/%d/%s", dfd, basename(base));
  int rc = n < (int)sizeof addr.sun_path ? connect(sock, (struct sockaddr *)&addr, sizeof addr) : (errno = ENAMETOOLONG, -1);
  close_keep_errno(dfd);
  return rc;
}

int console_connect(const struct record *r, struct context *c) {
  int slot = slot_arg(r, 0);
  if (slot < 0) return -1;
  int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0) return -1;
  if (connect_path(sock, arg_str(r, 1)) < 0) return close_keep_errno(sock), -1;
  c->slots[slot] = sock;
  return 0;
}

int console_pair(const struct record *r, struct context *c) {
  int slot = slot_arg(r, 0), pair[2];
  if (slot < 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) return -1;
  c->relay_fd = pair[0];
  c->slots[slot] = pair[1];
  return 0;
}

/* The container's pty multiplexer, checked to be one (5:2) whatever the rootfs put at /dev/ptmx. */
static int open_ptmx(void) {
  int fd = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  struct stat st;
  if (fd < 0) return -1;
  if (fstat(fd, &st) < 0) return close_keep_errno(fd), -1;
  if (S_ISCHR(st.st_mode) && major(st.st_rdev) == 5 && minor(st.st_rdev) == 2) return fd;
  close(fd);
  return errno = ENOTTY, -1;
}

/* One sendmsg: the pty's name, and the master as the one SCM_RIGHTS fd. */
static int send_master(int sock, int master, const char *name) {
  char control[CMSG_SPACE(sizeof(int))] = {0};
  struct iovec iov = {.iov_base = (void *)name, .iov_len = strlen(name)};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
  struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cm), &master, sizeof(int));
  return sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

/* The slave bound onto /dev/console (runc's mountConsole), a symlink there refused. */
static int bind_console(int slave) {
  int tree = (int)syscall(SYS_open_tree, slave, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
  if (tree < 0) return -1;
  int rc = attach_at("/dev/console", tree);
  close_keep_errno(tree);
  return rc;
}

/* The slave as fds 0-2 (dup2 clears close-on-exec) and the controlling terminal of this session. */
static int become_tty(int slave) {
  for (int fd = 0; fd < 3; fd++)
    if (slave != fd && dup2(slave, fd) < 0) return -1;
  if (slave > 2) close(slave);
  return ioctl(0, TIOCSCTTY, 0);
}

static int open_pair(const struct record *r, int *master, int *slave, char *name, size_t n) {
  unsigned ptn, unlock = 0;
  *master = open_ptmx();
  if (*master < 0 || ioctl(*master, TIOCSPTLCK, &unlock) < 0 || ioctl(*master, TIOCGPTN, &ptn) < 0) return -1;
  snprintf(name, n, "/dev/pts/%u", ptn);
  struct winsize ws = {.ws_row = (unsigned short)arg_i64(r, 1), .ws_col = (unsigned short)arg_i64(r, 2)};
  if (ws.ws_row && ws.ws_col && ioctl(*master, TIOCSWINSZ, &ws) < 0) return -1;
  *slave = ioctl(*master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  return *slave < 0 ? -1 : 0;
}

int pty_open(const struct record *r, struct context *c) {
  int slot = slot_arg(r, 0);
  if (slot < 0 || c->slots[slot] < 0) return errno = EBADF, -1;
  int master = -1, slave = -1;
  char name[32];
  int rc = open_pair(r, &master, &slave, name, sizeof name);
  if (rc == 0 && arg_i64(r, 3)) rc = bind_console(slave);
  if (rc == 0) rc = send_master(c->slots[slot], master, name);
  close_keep_errno(master);
  close_keep_errno(c->slots[slot]);
  c->slots[slot] = -1;
  if (rc == 0) return become_tty(slave);
  close_keep_errno(slave);
  return -1;
}
