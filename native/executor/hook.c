/*
 * HOOK: one hook program, run by whichever stage reaches it, in that stage's namespaces: stage 0
 * (the runtime namespace: prestart, createRuntime at the hook sync point; poststart, poststop in
 * the `hooks` mode), the init before pivot_root (createContainer), the init at start
 * (startContainer). The state JSON goes in on stdin, with the pid as that namespace sees it spliced
 * in; stdout and stderr are captured (they are not the container's) and their tail names a
 * failure; a timeout SIGKILLs it. Exit 0 is success; anything else is a failure of the step.
 *
 * HOOK_SYNC: the init, after its mounts, lets stage 0 run the runtime-namespace hooks (stage 5 of
 * the plan) and waits for them, over the release socket (main.c).
 */
#define _GNU_SOURCE
#include "hook.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A NUL-separated blob (plan/hooks.ts) as a NULL-terminated vector. */
static char **split_blob(const struct arg *a) {
  size_t count = 0;
  for (uint32_t i = 0; i < a->len; i++) count += a->data[i] == 0;
  char **v = calloc(count + 1, sizeof *v);
  if (v == NULL) return NULL;
  size_t k = 0;
  for (uint32_t i = 0; i < a->len && k < count; k++) {
    v[k] = (char *)a->data + i;
    i += (uint32_t)strlen(v[k]) + 1;
  }
  return v;
}

static long long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static pid_t spawn_hook(const char *path, char **argv, char **env, int in, int out) {
  pid_t pid = fork();
  if (pid != 0) return pid;
  dup2(in, 0);
  dup2(out, 1);
  dup2(out, 2);
  syscall(SYS_close_range, 3, ~0U, 0);
  signal(SIGPIPE, SIG_DFL);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  execve(path, argv, env);
  dprintf(2, "exec %s: %s", path, strerror(errno));
  _exit(127);
}

/* The last bytes the hook wrote, on one line, for the error. */
static void keep_tail(char *tail, size_t cap, size_t *len, const char *buf, ssize_t n) {
  for (ssize_t i = 0; i < n; i++) {
    if (*len == cap - 1) memmove(tail, tail + 1, --*len);
    tail[(*len)++] = buf[i] == '\n' || buf[i] == '\r' ? ' ' : buf[i];
  }
  tail[*len] = 0;
}

struct io {
  int in, out, pidfd;
  const char *state;
  size_t state_len, written;
  char tail[200];
  size_t tail_len;
};

/* Feeds stdin and drains stdout until the hook exits or the deadline (ms, -1: none) passes: 1 if it exited. */
static int pump(struct io *io, long long deadline) {
  for (;;) {
    struct pollfd p[3] = {{.fd = io->pidfd, .events = POLLIN}, {.fd = io->out, .events = POLLIN}, {.fd = io->in, .events = POLLOUT}};
    int wait = deadline < 0 ? -1 : (int)(deadline - now_ms() > 0 ? deadline - now_ms() : 0);
    int ready = poll(p, 3, wait);
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) return 0;
    if (p[1].revents) {
      char buf[1024];
      ssize_t n = read(io->out, buf, sizeof buf);
      if (n > 0) keep_tail(io->tail, sizeof io->tail, &io->tail_len, buf, n);
      else if (n == 0 || errno != EAGAIN) close(io->out), io->out = -1;
    }
    if (p[2].revents) {
      ssize_t w = p[2].revents & POLLOUT ? send(io->in, io->state + io->written, io->state_len - io->written, MSG_NOSIGNAL | MSG_DONTWAIT) : -1;
      if (w > 0) io->written += (size_t)w;
      if ((w < 0 && errno != EAGAIN) || io->written == io->state_len) close(io->in), io->in = -1; /* all given, or the hook closed its stdin */
    }
    if (p[0].revents) return 1;
  }
}

/* The state with the pid as this stage's namespace sees it: arg 5 >0 as given, 0 the init's host pid, -1 ours. */
static char *state_of(const struct record *r, struct context *c) {
  int64_t pid = arg_i64(r, 5);
  if (pid == 0) pid = c->init_pid;
  if (pid < 0) pid = getpid();
  char *s = NULL;
  return asprintf(&s, "%s%lld%s", arg_str(r, 4), (long long)pid, arg_str(r, 6)) < 0 ? NULL : s;
}

int run_hook(const struct record *r, struct context *c, char *what, size_t n) {
  const char *path = arg_str(r, 0);
  char **argv = split_blob(&r->args[1]), **env = split_blob(&r->args[2]);
  int64_t timeout = arg_i64(r, 3);
  struct io io = {.in = -1, .out = -1, .pidfd = -1, .state = state_of(r, c)};
  int in[2], out[2];
  /* stdin is a socket, not a pipe: send(MSG_NOSIGNAL) to a hook that closed it is EPIPE, not our SIGPIPE */
  if (!argv || !env || !io.state || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) < 0 || pipe2(out, O_CLOEXEC) < 0) return -1;
  io.state_len = strlen(io.state);
  pid_t pid = spawn_hook(path, argv, env, in[0], out[1]);
  close(in[0]);
  close(out[1]);
  if (pid < 0) return close(in[1]), close(out[0]), -1;
  io.in = in[1], io.out = out[0];
  io.pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (io.pidfd < 0) { /* pidfd_open refused (a container's seccomp filter): the state whole, then wait, no timeout */
    for (ssize_t w; io.written < io.state_len && (w = send(io.in, io.state + io.written, io.state_len - io.written, MSG_NOSIGNAL)) > 0;) io.written += (size_t)w;
    close(io.in), io.in = -1;
  }
  int exited = io.pidfd < 0 ? 1 : pump(&io, timeout > 0 ? now_ms() + timeout * 1000 : -1);
  if (!exited) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (io.out >= 0) { /* what it wrote just before it exited */
    fcntl(io.out, F_SETFL, O_NONBLOCK);
    char buf[1024];
    ssize_t got;
    while ((got = read(io.out, buf, sizeof buf)) > 0) keep_tail(io.tail, sizeof io.tail, &io.tail_len, buf, got);
  }
  for (int fd = 0, fds[] = {io.in, io.out, io.pidfd}; fd < 3; fd++)
    if (fds[fd] >= 0) close(fds[fd]);
  free(argv), free(env), free((char *)io.state);
  const char *sep = io.tail_len ? ": " : "";
  if (!exited) snprintf(what, n, "timed out after %lld s, killed%s%s", (long long)timeout, sep, io.tail);
  else if (WIFSIGNALED(status)) snprintf(what, n, "killed by signal %d%s%s", WTERMSIG(status), sep, io.tail);
  else if (WEXITSTATUS(status) != 0) snprintf(what, n, "exit status %d%s%s", WEXITSTATUS(status), sep, io.tail);
  else return 0;
  return errno = 0, -1; /* the message says it all: no errno text after it */
}

int hook_sync(struct context *c) {
  char go = 0;
  ssize_t got;
  if (c->release_fd < 0) return errno = EBADF, -1;
  if (send(c->release_fd, "H", 1, MSG_NOSIGNAL) != 1) return -1;
  while ((got = read(c->release_fd, &go, 1)) < 0 && errno == EINTR) {
  }
  if (got != 1 || go != 'G') _exit(1); /* stage 0 failed a hook and reported it, or died: nothing to add */
  return 0;
}
