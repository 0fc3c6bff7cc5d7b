/*
 * The terminal of `ocirt run` / `exec` in the foreground, as `runc run -t` relays it: the caller's
 * terminal goes raw (so ^C reaches the container as a byte, and its own terminal echoes), bytes are
 * copied both ways, SIGWINCH copies our window size to the pty, and the caller's settings come back
 * when the process exits. The other signals are forwarded, as reap() does.
 */
#define _GNU_SOURCE
#include "relay.h"

#include "stage.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

static struct termios saved;
static int raw;

static void make_raw(void) {
  if (!isatty(0) || tcgetattr(0, &saved) < 0) return;
  struct termios t = saved;
  cfmakeraw(&t);
  raw = tcsetattr(0, TCSANOW, &t) == 0;
}

static void restore(void) {
  if (raw) tcsetattr(0, TCSANOW, &saved);
  raw = 0;
}

static void copy_winsize(int master) {
  struct winsize ws;
  if (master >= 0 && ioctl(0, TIOCGWINSZ, &ws) == 0) ioctl(master, TIOCSWINSZ, &ws);
}

/* The one fd PTY_OPEN sent (console.c send_master); -1 on EOF: the init died before its terminal. */
static int recv_master(int sock) {
  char name[4096], control[CMSG_SPACE(sizeof(int))];
  struct iovec iov = {.iov_base = name, .iov_len = sizeof name};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
  ssize_t n;
  while ((n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR) {
  }
  struct cmsghdr *cm = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL;
  if (cm == NULL || cm->cmsg_type != SCM_RIGHTS) return -1;
  int fd;
  memcpy(&fd, CMSG_DATA(cm), sizeof fd);
  return fd;
}

static int write_all(int fd, const char *buf, size_t len) {
  while (len > 0) {
    ssize_t w = write(fd, buf, len);
    if (w < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (w < 0) return -1;
    buf += w, len -= (size_t)w;
  }
  return 0;
}

/* Copies one read's worth; 0 at EOF or error (a pty master reads EIO once every slave is closed). */
static int copy(int from, int to) {
  char buf[8192];
  ssize_t n = read(from, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return 1;
  return n > 0 && write_all(to, buf, (size_t)n) == 0;
}

/* What the pty still holds once the process has exited. */
static void drain(int master) {
  if (master < 0) return;
  fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
  char buf[8192];
  ssize_t n;
  while ((n = read(master, buf, sizeof buf)) > 0)
    if (write_all(1, buf, (size_t)n) < 0) break;
}

static int signal_fd(void) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  sigaddset(&set, SIGWINCH);
  for (size_t i = 0; i < sizeof forwarded / sizeof *forwarded; i++) sigaddset(&set, forwarded[i]);
  sigprocmask(SIG_BLOCK, &set, NULL);
  return signalfd(-1, &set, SFD_CLOEXEC);
}

/* SIGCHLD: the exit code once `pid` is reaped, else -1; other signals are handled and give -1. */
static int on_signal(int sfd, pid_t pid, int master, const char *status_file) {
  struct signalfd_siginfo si;
  if (read(sfd, &si, sizeof si) != sizeof si) return -1;
  if (si.ssi_signo == SIGWINCH) copy_winsize(master);
  else if (si.ssi_signo != SIGCHLD) kill(pid, (int)si.ssi_signo);
  int status;
  pid_t w;
  while ((w = waitpid(-1, &status, WNOHANG)) > 0) {
    if (w != pid) continue;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    FILE *f = status_file ? fopen(status_file, "w") : NULL;
    if (f) fprintf(f, "%d", code), fclose(f);
    return code;
  }
  return -1;
}

int reap_relayed(pid_t pid, int relay_fd, const char *status_file) {
  signal(SIGPIPE, SIG_IGN);
  int sfd = signal_fd(), master = -1, in = 1, out = 1;
  if (sfd < 0) return reap(pid, status_file);
  for (;;) {
    struct pollfd p[3] = {{.fd = sfd, .events = POLLIN}, {.fd = -1}, {.fd = -1}};
    if (master < 0) p[1] = (struct pollfd){.fd = relay_fd, .events = POLLIN};
    else {
      p[1] = (struct pollfd){.fd = out ? master : -1, .events = POLLIN};
      p[2] = (struct pollfd){.fd = in ? 0 : -1, .events = POLLIN};
    }
    if (poll(p, 3, -1) < 0 && errno != EINTR) break;
    if (master < 0 && p[1].revents) {
      master = recv_master(relay_fd);
      close(relay_fd);
      relay_fd = -1;
      if (master >= 0) make_raw(), copy_winsize(master);
      continue;
    }
    if (p[1].revents && !copy(master, 1)) out = 0;
    if (p[2].revents && !copy(0, master)) in = 0;
    if (p[0].revents) {
      int code = on_signal(sfd, pid, master, status_file);
      if (code >= 0) {
        drain(master);
        restore();
        return code;
      }
    }
  }
  restore();
  return reap(pid, status_file);
}
