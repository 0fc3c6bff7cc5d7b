#define _GNU_SOURCE
#include "stage.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wire.h"

void die(struct context *c, int64_t step, int errnum, const char *what) {
  send_error(c->sync_fd, step, errnum, what);
  _exit(1);
}

int tied_fd = -1;
pid_t tied_pid;

void tie(void) {
  if (tied_fd < 0 && tied_pid <= 0) return;
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) _exit(1);
  if (tied_pid > 0 && getppid() != tied_pid) _exit(1);
  if (tied_fd >= 0) {
    struct pollfd p = {.fd = tied_fd, .events = POLLOUT};
    if (poll(&p, 1, 0) > 0 && (p.revents & (POLLERR | POLLHUP))) _exit(1);
  }
}

void untie(void) {
  tied_fd = -1;
  tied_pid = 0;
  prctl(PR_SET_PDEATHSIG, 0);
}

/*
 * Tests only (tests/reliability, docs/reliability.md): when create.ts has written
 * `test-pause-at-step` (from OCIRT_TEST_PAUSE_AT_STEP=N), the stage that reaches step N writes
 * "step N stage S" to `test-paused` and stops there until killed. Its fd is opened in stage 0, so a stage
 * in a user namespace or past pivot_root can still write it.
 */
static int64_t pause_at = -1;
static int pause_fd = -1;

void test_hooks(void) {
  char buf[24] = {0};
  int fd = open("test-pause-at-step", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return;
  pause_at = atoll(buf);
  pause_fd = open("test-paused", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
}

static void test_pause(int64_t step, int stage) {
  char line[48];
  int n = snprintf(line, sizeof line, "step %lld stage %d\n", (long long)step, stage);
  if (pause_fd >= 0 && write(pause_fd, line, (size_t)n) < 0) _exit(1);
  for (;;) pause();
}

void test_pause_point(int64_t step, int stage) {
  if (step == pause_at) test_pause(step, stage);
}

void begin_host(struct context *c, struct message *plan, int sync_fd, const char *name) {
  *c = (struct context){.listen_fd = -1, .sync_fd = sync_fd, .inner_fd = -1, .relay_fd = -1, .release_fd = -1, .plan = plan};
  for (int i = 0; i < MAX_SLOTS; i++) c->slots[i] = -1;
  prctl(PR_SET_NAME, name);
  syscall(SYS_close_range, sync_fd + 1, ~0U, 0);
  tied_fd = sync_fd;
  tie();
}

void load_plan(struct context *c, struct message *plan, const char *plan_file) {
  char err[256];
  size_t len;
  unsigned char *buf = read_file(plan_file, &len);
  if (buf == NULL) die(c, -1, errno, "read plan");
  unlink(plan_file);
  if (parse_message(buf, len, plan, err, sizeof err) < 0) die(c, -1, EPROTO, err);
}

void run_stage(const struct message *m, int stage, struct context *c) {
  char what[512];
  for (size_t i = 0; i < m->count; i++) {
    const struct record *r = &m->recs[i];
    if (r->step < 0 || r->stage != stage) continue;
    test_pause_point(r->step, stage);
    if (run_step(r, c, what, sizeof what) < 0) die(c, r->step, errno, what);
    tie(); /* the step may have changed credentials, which disarms the death signal */
  }
}

int has_steps(const struct message *m, int stage) {
  for (size_t i = 0; i < m->count; i++)
    if (m->recs[i].step >= 0 && m->recs[i].stage == stage) return 1;
  return 0;
}

const struct record *find_step(const struct message *m, int64_t step) {
  for (size_t i = 0; i < m->count; i++)
    if (m->recs[i].step == step) return &m->recs[i];
  return NULL;
}


void test_hooks_off(void) {
  pause_at = -1;
}

static pid_t forwarded_to;
static void forward_signal(int sig) {
  if (forwarded_to > 0) kill(forwarded_to, sig);
}

int reap(pid_t init, const char *status_file) {
  static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};
  forwarded_to = init;
  for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) signal(sigs[i], forward_signal);
  for (;;) {
    int status;
    pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0 && errno == EINTR) continue;
    if (pid < 0) return 255;
    if (pid != init) continue;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    FILE *f = status_file ? fopen(status_file, "w") : NULL;
    if (f) fprintf(f, "%d", code), fclose(f);
    return code;
  }
}

