/*
 * Exec mode: one more process in namespaces and a cgroup that exist (plan/exec-plan.ts writes the
 * plan; the stages are drawn at its top). As `ps` names them:
 *
 *   ocirt:[0:EXEC]  spawned by the CLI in the host's namespaces; runs stage-0 steps (setns to a PID
 *                   namespace, which only its children enter), forks the process, sends its host
 *                   pid; then learns from the child whether it exec'd: an ERROR frame is relayed to
 *                   the CLI, EOF with nothing means execve succeeded. It then exits (exec-detach:
 *                   the process is reparented to the caller's subreaper) or reaps it and exits with
 *                   its status (exec), forwarding signals.
 *   ocirt:[1:JOIN]  the child, non-dumpable until execve: stage-1 steps (every SETNS path is opened
 *                   before the first is joined: once in a user namespace, the init's /proc/<pid>/ns
 *                   files may be closed to it), then the stage-3 steps, the last EXEC. It calls
 *                   setsid() first, so a terminal's PTY_OPEN can make its slave the controlling one.
 *
 * The child reports to the parent, never to the CLI directly: its frames go on its end of a
 * socketpair, which is close-on-exec. The parent closes the CLI's sync fd only once it knows, so
 * the CLI's EOF means "exec'd, and here is the pid" or comes after the ERROR.
 *
 * Crash safety (main.c): the parent dies with the CLI (PR_SET_PDEATHSIG, then the sync pipe's
 * reader checked) until the process has exec'd; the child dies with the parent while it joins
 * namespaces (PR_SET_PDEATHSIG, then its socket to the parent checked: getppid() is 0 from inside
 * the new PID namespace), and through its process steps until the seccomp filter is loaded or it
 * execs (child_stage). A CLI killed then leaves no half-joined process; only between a seccomp
 * filter loaded without noNewPrivileges (runc's order puts it before the uid change) and execve does
 * the child go on alone. Once the process runs, the parent disarms too, so a foreground exec whose
 * CLI dies is still reaped. Nothing here touches the container's journal: that is the init's.
 */
#define _GNU_SOURCE
#include "exec.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "relay.h"
#include "stage.h"
#include "steps.h"
#include "wire.h"

/*
 * One of the child's stages, as run_stage runs it but for two things: every SETNS path of the stage
 * is opened before the first is joined; and the death signal is re-armed after each step only until
 * a seccomp filter is loaded or the process execs, and cleared just before: a filter may refuse the
 * prctl, and a death signal left armed survives execve (it would kill a detached process when this
 * executor exits).
 */
static void child_stage(struct context *c, int stage) {
  const struct message *m = c->plan;
  int *fds = calloc(m->count ? m->count : 1, sizeof *fds);
  char what[512];
  if (fds == NULL) die(c, -1, errno, "calloc");
  for (size_t i = 0; i < m->count; i++) {
    const struct record *r = &m->recs[i];
    fds[i] = -1;
    if (r->step < 0 || r->stage != stage || r->type != OP_SETNS) continue;
    fds[i] = open(arg_str(r, 0), O_RDONLY | O_CLOEXEC);
    if (fds[i] < 0) snprintf(what, sizeof what, "open %s", arg_str(r, 0)), die(c, r->step, errno, what);
  }
  for (size_t i = 0; i < m->count; i++) {
    const struct record *r = &m->recs[i];
    if (r->step < 0 || r->stage != stage) continue;
    test_pause_point(r->step, stage);
    if (r->type == OP_SECCOMP_LOAD || r->type == OP_EXEC) untie();
    if (r->type == OP_SETNS) {
      snprintf(what, sizeof what, "%s %s", op_name(r->type), arg_str(r, 0));
      if (setns(fds[i], (int)arg_i64(r, 1)) < 0) die(c, r->step, errno, what);
      close(fds[i]);
    } else if (run_step(r, c, what, sizeof what) < 0) {
      die(c, r->step, errno, what);
    }
    tie(); /* a setns or a setuid changes credentials, which disarms the death signal (a no-op once untied) */
  }
  free(fds);
}

/* The child: `to_parent` is its end of the socketpair, `cli_fd` the CLI's sync pipe (not its to keep). */
static void child(struct context *c, int to_parent, int cli_fd) {
  prctl(PR_SET_NAME, "ocirt:[1:JOIN]");
  close(cli_fd);
  if (c->relay_fd >= 0) close(c->relay_fd); /* the parent's end of a terminal relay */
  c->sync_fd = to_parent;
  /* Not dumpable: nothing in the container may ptrace it or open its /proc files while it holds
   * the host's privileges (runc's nsexec; CVE-2016-9962). execve makes the process dumpable again. */
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) die(c, -1, errno, "prctl(PR_SET_DUMPABLE)");
  tied_fd = to_parent;
  tied_pid = 0;
  tie();
  if (setsid() < 0) die(c, -1, errno, "setsid");
  child_stage(c, 1);
  child_stage(c, 3);
  die(c, -1, ENOEXEC, "the process has no exec step");
}

/* Reads the child's frames until EOF, relaying them to the CLI: 1 when there were any (it failed). */
static int relay_child(int from_child, int sync_fd) {
  char buf[4096];
  int failed = 0;
  for (;;) {
    ssize_t n = read(from_child, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return failed;
    failed = 1;
    if (write(sync_fd, buf, (size_t)n) != n) return failed;
  }
}

int exec_process(int sync_fd, const char *plan_file, int detach) {
  struct message plan;
  struct context c;
  /* Only stdio and the fds below SYNC_FD (--preserve-fds) reach the process, as for create. */
  begin_host(&c, &plan, sync_fd, "ocirt:[0:EXEC]");
  test_hooks(); /* tests only: exec.ts writes test-pause-at-step in the state directory, our cwd; */
  unlink("test-pause-at-step"); /* one exec's, not the next one's */
  load_plan(&c, &plan, plan_file);
  run_stage(&plan, 0, &c);
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) die(&c, -1, errno, "socketpair");
  pid_t pid = fork();
  if (pid < 0) die(&c, -1, errno, "fork");
  if (pid == 0) {
    close(pair[0]);
    child(&c, pair[1], sync_fd);
  }
  close(pair[1]);
  for (int i = 0; i < MAX_SLOTS; i++) /* the slots (a console socket) are the child's now */
    if (c.slots[i] >= 0) close(c.slots[i]);
  send_i64(sync_fd, REC_PID, pid);
  int failed = relay_child(pair[0], sync_fd);
  close(pair[0]);
  if (failed) {
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    close(sync_fd);
    return 1;
  }
  untie();
  close(sync_fd); /* the CLI's EOF: the process runs */
  if (detach) return 0;
  return c.relay_fd >= 0 ? reap_relayed(pid, c.relay_fd, NULL) : reap(pid, NULL);
}
