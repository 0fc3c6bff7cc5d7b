/*
 * ocirt's executor: carries out a plan the TypeScript side wrote, in order, and reports.
 * It knows nothing of OCI. The stages, as `ps` names them:
 *
 *   ocirt:[0:HOST]  spawned by the CLI in the host's namespaces; runs stage-0 steps, forks stage 1,
 *                   writes id maps when stage 1 asks; once it has the init's pid, journals it and
 *                   releases the init, runs stage-4 steps, and stage 5 (the runtime-namespace hooks)
 *                   when the init reaches HOOK_SYNC; exits (create) or reaps the init (run)
 *   ocirt:[1:NS]    joins the cgroup, joins and creates namespaces, forks the init, sends its host pid, exits
 *   ocirt:[2:INIT]  pid 1 of a new PID namespace: waits to be released, stage-2 steps, READY, then
 *                   waits on the start socket for the process message, runs its steps and execs
 *
 * Crash safety (docs/reliability.md): until the init's pid is in the state directory's journal,
 * where `delete --force` finds it, every stage dies with the one that started it, so a CLI killed
 * mid-create leaves nothing running:
 *   stage 0  PR_SET_PDEATHSIG, then checks that the CLI still reads the sync pipe: one that died
 *            before the prctl has closed it (a dying process closes its fds before the kernel
 *            signals its children), and poll reports the pipe's reader gone.
 *   stage 1  PR_SET_PDEATHSIG, then getppid() must still be stage 0 (the getppid race).
 *   init     blocks, before anything else, on a socket whose other end only stage 0 holds: stage 0
 *            writes the journal, then one byte; EOF means stage 0 died, and the init exits. (A
 *            death signal would not do: stage 1, its parent, exits early on purpose, and in a new
 *            PID namespace getppid() is 0.)
 * A change of credentials clears the death signal (prctl(2)), as setresuid in a new user namespace
 * does, so stages 0 and 1 arm it again after every step. Once the init is journaled stage 0
 * disarms it: the container outlives `ocirt create`, and in run mode the reaper `ocirt run`.
 *
 * usage: ocirt-executor create|run SYNC_FD PLAN_FILE    (fds 3..SYNC_FD-1: --preserve-fds, kept for the process)
 *        ocirt-executor exec|exec-detach SYNC_FD PLAN_FILE    (one more process in the container: exec.c)
 *        ocirt-executor hooks SYNC_FD PLAN_FILE    (poststart, poststop: the HOOK steps of stage 5, hook.c)
 *        ocirt-executor watch PID START_TIME PROGRAM [ARG...]
 *        ocirt-executor print PLAN_FILE    (parse a message and print its records: the wire's property test)
 */
#define _GNU_SOURCE
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
#include <unistd.h>

#include "exec.h"
#include "relay.h"
#include "stage.h"
#include "steps.h"
#include "watch.h"
#include "wire.h"

/* Stage 0 side of UNSHARE_USER: write setgroups, uid_map and gid_map of stage 1, then answer. */
static int64_t write_maps(const struct message *m, int64_t step, pid_t child) {
  const struct record *r = find_step(m, step);
  if (r == NULL || r->type != OP_UNSHARE_USER) return EPROTO;
  const char *files[] = {"setgroups", "uid_map", "gid_map"};
  const char *data[] = {arg_str(r, 2), arg_str(r, 0), arg_str(r, 1)};
  char path[64];
  for (int i = 0; i < 3; i++) {
    if (!*data[i]) continue;
    snprintf(path, sizeof path, "/proc/%d/%s", child, files[i]);
    if (write_file(path, data[i]) < 0) return errno;
  }
  return 0;
}

static void stage_init(struct context *c, int release_fd);

/* The journal (store.ts JOURNAL_FILE), opened by stage 0 in the state directory before any step. */
static int journal_fd = -1;

/* Stage 1: namespaces, then fork the init into them. `release_fd` is the init's end of the release socket. */
static void stage_ns(struct context *c, pid_t host, int release_fd) {
  prctl(PR_SET_NAME, "ocirt:[1:NS]");
  close(journal_fd);
  if (c->relay_fd >= 0) close(c->relay_fd); /* stage 0's end of the terminal relay */
  tied_fd = -1;
  tied_pid = host;
  tie();
  run_stage(c->plan, 1, c);
  pid_t init = fork();
  if (init < 0) die(c, -1, errno, "fork init");
  if (init == 0) stage_init(c, release_fd);
  close(release_fd);
  send_i64(c->sync_fd, REC_PID, init);
  int64_t pid64 = init;
  if (write(c->inner_fd, &(int64_t){-1}, 8) != 8 || write(c->inner_fd, &pid64, 8) != 8) _exit(1);
  _exit(0);
}

/* Reads a process message from one start connection and execs it; errors go back on the connection. */
static void run_process(struct context *c, int conn) {
  size_t len;
  char err[256];
  struct message m;
  c->sync_fd = conn;
  test_hooks_off(); /* the process message numbers its own steps */
  unsigned char *buf = read_prefixed(conn, &len);
  if (buf == NULL) die(c, -1, errno, "read process");
  if (parse_message(buf, len, &m, err, sizeof err) < 0) die(c, -1, EPROTO, err);
  run_stage(&m, 3, c);
  die(c, -1, ENOEXEC, "the process has no exec step");
}

/* Stage 2: the container's init. */
static void stage_init(struct context *c, int release_fd) {
  prctl(PR_SET_NAME, "ocirt:[2:INIT]");
  tied_pid = 0; /* its parent, stage 1, exits on purpose; the release socket ties it instead */
  close(c->inner_fd);
  char go = 0;
  ssize_t n;
  while ((n = read(release_fd, &go, 1)) < 0 && errno == EINTR) {
  }
  if (n != 1 || go != 'R') _exit(1); /* EOF: stage 0 died before it journaled this init */
  c->release_fd = release_fd; /* HOOK_SYNC asks stage 0 over it to run the runtime-namespace hooks */
  setsid();
  run_stage(c->plan, 2, c);
  close(c->release_fd);
  c->release_fd = -1;
  send_empty(c->sync_fd, REC_READY);
  close(c->sync_fd);
  for (;;) {
    int conn = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (conn >= 0) run_process(c, conn);
    if (errno != EINTR && errno != ECONNABORTED) _exit(1);
  }
}

/* Stage 0 after the fork: serve map requests until stage 1 sends the init's pid. */
static pid_t serve_stage1(struct context *c, pid_t child) {
  int64_t msg, pid = -1;
  while (read(c->inner_fd, &msg, sizeof msg) == sizeof msg) {
    if (msg == -1) {
      if (read(c->inner_fd, &pid, sizeof pid) != sizeof pid) pid = -1;
      break;
    }
    int64_t reply = write_maps(c->plan, msg, child);
    if (reply) send_error(c->sync_fd, msg, (int)reply, "write id maps");
    if (write(c->inner_fd, &reply, sizeof reply) != sizeof reply) break;
  }
  int status;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? (pid_t)pid : -1;
}

/*
 * Appends {"init":{"pid":N,"startTime":"T"}} to the journal: the pid and field 22 of its
 * /proc/<pid>/stat, which liveness.ts compares so that a reused pid is not taken for the init. One
 * write(2) to an O_APPEND file: a crash leaves the line whole or absent.
 */
static int journal_init(pid_t pid) {
  char start[32], line[160];
  if (start_time_of(pid, start, sizeof start) < 0) return -1;
  int w = snprintf(line, sizeof line, "{\"init\":{\"pid\":%d,\"startTime\":\"%s\"}}\n", pid, start);
  if (w <= 0 || (size_t)w >= sizeof line) return errno = EOVERFLOW, -1;
  return write(journal_fd, line, (size_t)w) == w ? 0 : -1;
}

/*
 * prestart and createRuntime (config.md "POSIX-platform Hooks"): in the runtime namespace, once the
 * init has made its mounts and waits at HOOK_SYNC, before pivot_root. A failed hook is reported by
 * run_stage, whose exit is the init's EOF; an init that died before the sync point sends nothing.
 */
static void runtime_hooks(struct context *c, int release) {
  char at = 0;
  ssize_t n;
  while ((n = read(release, &at, 1)) < 0 && errno == EINTR) {
  }
  if (n != 1 || at != 'H') return;
  run_stage(c->plan, 5, c);
  send(release, "G", 1, MSG_NOSIGNAL); /* an init killed meanwhile: launch finds no READY */
}

static int stage_host(int sync_fd, const char *plan_file, int run_mode) {
  struct message plan;
  struct context c;
  begin_host(&c, &plan, sync_fd, "ocirt:[0:HOST]");
  /* Opened before any step, while the cwd is still the state directory (launch's cwd). */
  journal_fd = open("journal", O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (journal_fd < 0) die(&c, -1, errno, "open the journal");
  test_hooks();
  load_plan(&c, &plan, plan_file);
  run_stage(&plan, 0, &c);
  int pair[2], release[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) die(&c, -1, errno, "socketpair");
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, release) < 0) die(&c, -1, errno, "socketpair");
  if (run_mode) prctl(PR_SET_CHILD_SUBREAPER, 1);
  pid_t host = getpid();
  pid_t child = fork();
  if (child < 0) die(&c, -1, errno, "fork");
  if (child == 0) {
    close(pair[0]);
    close(release[0]); /* stage 0 alone holds it: its death is the init's EOF */
    c.inner_fd = pair[1];
    stage_ns(&c, host, release[1]);
  }
  close(pair[1]);
  close(release[1]);
  c.inner_fd = pair[0];
  pid_t init = serve_stage1(&c, child);
  if (init > 0 && journal_init(init) < 0) {
    send_error(sync_fd, -1, errno, "journal the init's pid");
    init = -1; /* never released: it sees EOF when release[0] closes, and exits */
  }
  if (init > 0) {
    untie();
    if (send(release[0], "R", 1, MSG_NOSIGNAL) != 1) init = -1; /* the init was killed: launch finds no READY */
  }
  c.init_pid = init;
  if (init > 0) run_stage(&plan, 4, &c);
  if (init > 0 && has_steps(&plan, 5)) runtime_hooks(&c, release[0]);
  close(release[0]);
  close(sync_fd);
  if (c.listen_fd >= 0) close(c.listen_fd);
  if (init < 0) return 1;
  if (!run_mode) return 0;
  return c.relay_fd >= 0 ? reap_relayed(init, c.relay_fd, "exit.status") : reap(init, "exit.status");
}

/* poststart and poststop: the hooks of a stage-5 plan, in the runtime namespace, each pid given. */
static int run_hooks(int sync_fd, const char *plan_file) {
  struct message plan;
  struct context c;
  begin_host(&c, &plan, sync_fd, "ocirt:[0:HOOKS]");
  untie(); /* a poststop hook runs to its end even if the CLI is killed meanwhile */
  load_plan(&c, &plan, plan_file);
  run_stage(&plan, 5, &c);
  return 0;
}

/* One line per record: its type, then each argument as kind:hex. */
static int print_message(const char *plan_file) {
  size_t len;
  char err[256];
  struct message m;
  unsigned char *buf = read_file(plan_file, &len);
  if (buf == NULL) return perror("read"), 1;
  if (parse_message(buf, len, &m, err, sizeof err) < 0) return fprintf(stderr, "%s\n", err), 1;
  for (size_t i = 0; i < m.count; i++) {
    const struct record *r = &m.recs[i];
    printf("%u", r->type);
    for (unsigned a = 0; a < r->argc; a++) {
      printf(" %c:", r->args[a].kind);
      for (uint32_t b = 0; b < r->args[a].len; b++) printf("%02x", r->args[a].data[b]);
    }
    putchar('\n');
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "print") == 0) return print_message(argv[2]);
  if (argc >= 4 && (strcmp(argv[1], "create") == 0 || strcmp(argv[1], "run") == 0))
    return stage_host(atoi(argv[2]), argv[3], strcmp(argv[1], "run") == 0);
  if (argc >= 4 && (strcmp(argv[1], "exec") == 0 || strcmp(argv[1], "exec-detach") == 0))
    return exec_process(atoi(argv[2]), argv[3], strcmp(argv[1], "exec-detach") == 0);
  if (argc >= 4 && strcmp(argv[1], "hooks") == 0) return run_hooks(atoi(argv[2]), argv[3]);
  if (argc >= 5 && strcmp(argv[1], "watch") == 0) return watch(argv[2], argv[3], argv + 4);
  fprintf(stderr, "usage: %s create|run|exec|exec-detach|hooks SYNC_FD PLAN_FILE | watch PID START_TIME PROGRAM [ARG...] | print PLAN_FILE\n", argv[0]);
  return 2;
}
