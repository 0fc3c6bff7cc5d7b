/*
 * bin/ocirt, the front end (docs/performance.md): a command it can answer from what the TypeScript
 * program wrote for it, it answers without starting Bun; every other command, and anything it does
 * not expect, it hands to bin/ocirt-core (the TypeScript program) by execve with the same argv, so
 * the core gives every error, log line and exit code. It knows nothing of OCI: the answers are the
 * core's (src/lifecycle/query.ts stateAnswers); it only checks what liveness says and picks one.
 *
 *   state ID   <root>/<ID>/state.answers: the document for a live, a frozen and a dead init; the
 *              init is live when /proc/<pid>/stat shows it neither zombie nor dead and with the
 *              start time the core recorded (a reused pid is not the init), frozen when its
 *              freezer file holds the frozen value.
 *   start ID   <root>/<ID>/start.plan, written by create: the process message, the oom_score_adj,
 *              and state.json and state.answers as they are once started, valid while state.json is
 *              byte for byte the `expect` block. Under the lock, with the init live and not frozen,
 *              it sends the message over init.sock and reads until EOF (the connection closes on
 *              exec). EOF alone: it writes the two files as the core would and returns 0. A reply
 *              (an ERROR frame) goes to start.reply, and the core reports it (start-plan.ts).
 *   delete [--force] ID
 *              a dead init's container, when state.answers has a `delete` block (no hooks owed):
 *              under the lock, its cgroup directories in the core's order (a leaf that stays busy,
 *              or any other failure, goes to the core, which finishes what is left), then the
 *              state directory.
 *   kill ID [N] a decimal signal (default 15), under the container's lock (lock.ts), to a live
 *              init through a pidfd taken while its start time is checked, so a reused pid is never
 *              signalled. A dead, frozen (SIGKILL must thaw it) or unknown container goes to the core.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/file.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_ANSWERS (1 << 20)

static char **args;

static void core(void) {
  char self[4096], path[4200];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return perror("ocirt: /proc/self/exe"), exit(1);
  self[n] = 0;
  snprintf(path, sizeof path, "%s/ocirt-core", dirname(self));
  execv(path, args);
  fprintf(stderr, "ocirt: cannot run %s: %s\n", path, strerror(errno));
  exit(1);
}

/* Reads a small file whole (NUL-terminated); NULL if it cannot. */
static char *slurp(const char *path, size_t *len) {
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return NULL;
  char *buf = malloc(MAX_ANSWERS + 1);
  size_t got = 0;
  ssize_t r;
  while (buf && got < MAX_ANSWERS && (r = read(fd, buf + got, MAX_ANSWERS - got)) > 0) got += (size_t)r;
  close(fd);
  if (buf == NULL || got == MAX_ANSWERS) return free(buf), NULL;
  buf[got] = 0;
  if (len) *len = got;
  return buf;
}

/* ENGINES.md "Global flags": $XDG_RUNTIME_DIR/ocirt for a caller that is not root or is in a user namespace. */
static const char *default_root(void) {
  static char buf[4096];
  const char *xdg = getenv("XDG_RUNTIME_DIR");
  if (xdg == NULL || *xdg == 0) return "/run/ocirt";
  /* the initial user namespace's map is the one line "0 0 4294967295" (root.ts inUserNamespace) */
  char *map = slurp("/proc/self/uid_map", NULL);
  unsigned a, b, c;
  int n = -1;
  int initial = map && sscanf(map, " %u %u %u %n", &a, &b, &c, &n) == 3 && a == 0 && b == 0 && c == 4294967295u && map[n] == 0;
  free(map);
  if (geteuid() == 0 && initial) return "/run/ocirt";
  snprintf(buf, sizeof buf, "%s/ocirt", xdg);
  return buf;
}

/* An id the core stores under its own name (file-name.ts): short, and no character a path treats specially. */
static int plain_id(const char *id) {
  size_t n = strlen(id);
  if (n == 0 || n > 200 || strcmp(id, ".") == 0 || strcmp(id, "..") == 0) return 0;
  return strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == n;
}

/* 1 when /proc/<pid>/stat shows a process that is neither zombie nor dead, started at `start` ("-": any). */
static int alive(long pid, const char *start) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%ld/stat", pid);
  char *stat = slurp(path, NULL);
  char *p = stat ? strrchr(stat, ')') : NULL;
  int ok = 0;
  if (p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X') {
    /* fields after the comm: state is field 3, starttime field 22 */
    p += 2;
    for (int field = 3; field < 22 && p; field++) p = strchr(p, ' ') ? strchr(p, ' ') + 1 : NULL;
    size_t len = p ? strcspn(p, " ") : 0;
    ok = p && (strcmp(start, "-") == 0 || (strlen(start) == len && strncmp(p, start, len) == 0));
  }
  free(stat);
  return ok;
}

static int frozen(const char *line) {
  char value[16], path[4096];
  if (strcmp(line, "-") == 0 || sscanf(line, "%15s %4095[^\n]", value, path) != 2) return 0;
  char *now = slurp(path, NULL);
  int yes = now && strncmp(now, value, strlen(value)) == 0 && (now[strlen(value)] == '\n' || now[strlen(value)] == 0);
  free(now);
  return yes;
}

/* The block named `name` ("name LEN\n" then LEN bytes), or NULL. */
static const char *block(const char *text, const char *name, size_t *len) {
  size_t n = strlen(name);
  for (const char *p = text; (p = strstr(p, name)) != NULL; p += n) {
    if ((p != text && p[-1] != '\n') || p[n] != ' ') continue;
    char *end;
    unsigned long l = strtoul(p + n + 1, &end, 10);
    if (*end != '\n' || end + 1 + l > text + strlen(text)) return NULL;
    *len = l;
    return end + 1;
  }
  return NULL;
}

static const char *line_of(const char *text, const char *key, char *out, size_t n) {
  char pattern[32];
  snprintf(pattern, sizeof pattern, "\n%s ", key);
  const char *p = strstr(text, pattern);
  if (p == NULL) return NULL;
  p += strlen(pattern);
  snprintf(out, n, "%.*s", (int)strcspn(p, "\n"), p);
  return out;
}

struct answers {
  char *text;
  long pid;
  char start[64], freezer[4200];
};

/* <root>/<id>/<file> into buf; 0 when the id is not one the core names plainly. */
static int path_of(char *buf, size_t n, const char *root, const char *id, const char *file) {
  return plain_id(id) && snprintf(buf, n, "%s/%s/%s", root, id, file) < (int)n;
}

static int read_answers(const char *root, const char *id, struct answers *a) {
  char path[4500], pid[32];
  if (!path_of(path, sizeof path, root, id, "state.answers")) return 0;
  a->text = slurp(path, NULL);
  if (a->text == NULL || strncmp(a->text, "ocirt-answers 1\n", 16) != 0) return free(a->text), 0;
  if (!line_of(a->text, "pid", pid, sizeof pid) || !line_of(a->text, "start", a->start, sizeof a->start) || !line_of(a->text, "freezer", a->freezer, sizeof a->freezer)) return free(a->text), 0;
  a->pid = atol(pid);
  return 1;
}

static void state(const char *root, const char *id) {
  struct answers a;
  if (!read_answers(root, id, &a)) return;
  char *text = a.text;
  const char *which = a.pid > 0 && alive(a.pid, a.start) ? (frozen(a.freezer) ? "paused" : "live") : "dead";
  size_t len;
  const char *doc = block(text, which, &len);
  if (doc == NULL) return free(text);
  for (size_t off = 0; off < len;) {
    ssize_t w = write(1, doc + off, len - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) exit(1);
    off += (size_t)w;
  }
  exit(0);
}

/* The container's lock, as lock.ts takes it; -1 (for the core to report) when it is gone. */
static int lock_container(const char *root, const char *id) {
  char path[4500];
  struct stat st;
  if (!path_of(path, sizeof path, root, id, "lock")) return -1;
  int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return -1;
  while (flock(fd, LOCK_EX) < 0)
    if (errno != EINTR) return close(fd), -1;
  if (fstat(fd, &st) < 0 || st.st_nlink == 0) return close(fd), -1; /* deleted by the holder we waited for */
  return fd;
}

static void kill_container(const char *root, const char *id, const char *sig) {
  char *end;
  long n = sig ? strtol(sig, &end, 10) : 15;
  if (sig && (*sig == 0 || *end != 0 || n < 1 || n > 64)) return;
  int lock = lock_container(root, id);
  if (lock < 0) return;
  struct answers a;
  int sent = 0;
  if (read_answers(root, id, &a)) {
    int pidfd = a.pid > 0 ? (int)syscall(SYS_pidfd_open, a.pid, 0) : -1;
    /* checked once the pidfd holds the process: it is the init, and stays the one signalled */
    if (pidfd >= 0 && alive(a.pid, a.start) && !(n == 9 && frozen(a.freezer))) sent = syscall(SYS_pidfd_send_signal, pidfd, (int)n, NULL, 0) == 0;
    if (pidfd >= 0) close(pidfd);
    free(a.text);
  }
  close(lock);
  if (sent) exit(0);
}

struct plan {
  char *text;
  size_t len;
  const char *oom, *expect, *message, *state, *answers;
  size_t oom_len, expect_len, message_len, state_len, answers_len;
};

/* The next block of a start plan ("NAME LEN\n", LEN bytes, "\n"): binary-safe, in order. */
static const char *next_block(const char **p, const char *end, const char *name, size_t *len) {
  size_t n = strlen(name);
  if ((size_t)(end - *p) < n + 2 || strncmp(*p, name, n) != 0 || (*p)[n] != ' ') return NULL;
  char *stop;
  unsigned long l = strtoul(*p + n + 1, &stop, 10);
  if (*stop != '\n' || (size_t)(end - stop - 1) < l + 1 || stop[1 + l] != '\n') return NULL;
  *len = l;
  *p = stop + 2 + l;
  return stop + 1;
}

static int read_plan(const char *root, const char *id, struct plan *pl) {
  char path[4500];
  if (!path_of(path, sizeof path, root, id, "start.plan") || (pl->text = slurp(path, &pl->len)) == NULL) return 0;
  const char *p = pl->text, *end = pl->text + pl->len;
  if (pl->len < 14 || strncmp(p, "ocirt-start 1\n", 14) != 0) return 0;
  p += 14;
  return (pl->oom = next_block(&p, end, "oom", &pl->oom_len)) && (pl->expect = next_block(&p, end, "expect", &pl->expect_len)) &&
         (pl->message = next_block(&p, end, "message", &pl->message_len)) && (pl->state = next_block(&p, end, "state", &pl->state_len)) &&
         (pl->answers = next_block(&p, end, "answers", &pl->answers_len));
}

static int write_all(int fd, const char *buf, size_t len) {
  for (size_t off = 0; off < len;) {
    ssize_t w = write(fd, buf + off, len - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    off += (size_t)w;
  }
  return 0;
}

/* A file of the state directory replaced whole: temporary file, rename (not synced: store.ts). */
static int replace_file(int dir, const char *name, const char *data, size_t len) {
  char tmp[300];
  snprintf(tmp, sizeof tmp, ".%s.%d.front", name, getpid());
  int fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return -1;
  int ok = write_all(fd, data, len) == 0;
  close(fd);
  if (!ok || renameat(dir, tmp, dir, name) < 0) return unlinkat(dir, tmp, 0), -1;
  return 0;
}

/* Sends the length-prefixed message over the init's start socket; the reply until EOF. -1: not sent. */
static ssize_t exchange(int dir, const struct plan *pl, char *reply, size_t cap) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  snprintf(addr.sun_path, sizeof addr.sun_path, "/proc/self/fd/%d/init.sock", dir);
  int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0 || connect(sock, (struct sockaddr *)&addr, sizeof addr) < 0) return sock >= 0 ? close(sock) : 0, -1;
  unsigned char head[4] = {(unsigned char)pl->message_len, (unsigned char)(pl->message_len >> 8), (unsigned char)(pl->message_len >> 16), (unsigned char)(pl->message_len >> 24)};
  if (write_all(sock, (const char *)head, 4) < 0) return close(sock), -1;
  write_all(sock, pl->message, pl->message_len); /* once the head is out the init reads it: whatever happens is its reply */
  size_t got = 0;
  ssize_t r;
  while (got < cap && ((r = read(sock, reply + got, cap - got)) > 0 || (r < 0 && errno == EINTR)))
    if (r > 0) got += (size_t)r;
  close(sock);
  return (ssize_t)got;
}

static void start_container(const char *root, const char *id) {
  char path[4500];
  int lock = lock_container(root, id);
  if (lock < 0) return;
  struct plan pl = {0};
  struct answers a = {0};
  size_t state_len = 0;
  char *state = path_of(path, sizeof path, root, id, "state.json") ? slurp(path, &state_len) : NULL;
  int dir = path_of(path, sizeof path, root, id, "") ? open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
  int usable = state && dir >= 0 && read_plan(root, id, &pl) && state_len == pl.expect_len && memcmp(state, pl.expect, state_len) == 0 &&
               read_answers(root, id, &a) && a.pid > 0 && alive(a.pid, a.start) && !frozen(a.freezer);
  if (usable && strncmp(pl.oom, "-", pl.oom_len) != 0) {
    char oom[64];
    snprintf(path, sizeof path, "/proc/%ld/oom_score_adj", a.pid);
    snprintf(oom, sizeof oom, "%.*s", (int)pl.oom_len, pl.oom);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    usable = fd >= 0 && write_all(fd, oom, strlen(oom)) == 0; /* a refusal is the core's to name */
    if (fd >= 0) close(fd);
  }
  static char reply[65536];
  ssize_t got = usable ? exchange(dir, &pl, reply, sizeof reply) : -1;
  if (got == 0) {
    /* as Store.write: state.answers removed first, state.json replaced, then the answers */
    unlinkat(dir, "state.answers", 0);
    unlinkat(dir, "start.plan", 0);
    if (replace_file(dir, "state.json", pl.state, pl.state_len) == 0 && replace_file(dir, "state.answers", pl.answers, pl.answers_len) == 0) exit(0);
    fprintf(stderr, "ocirt: container \"%s\" started, but its state could not be written: %s\n", id, strerror(errno));
    exit(1);
  }
  if (got > 0) unlinkat(dir, "start.plan", 0), replace_file(dir, "start.reply", reply, (size_t)got);
  close(lock);
}

/* rmdir with the core's patience for a leaf whose killed processes are still leaving; 0 if gone. */
static int remove_cgroup(const char *kind, const char *dir) {
  for (int attempt = 0; attempt < 25; attempt++) {
    if (rmdir(dir) == 0 || errno == ENOENT) return 0;
    int busy = errno == EBUSY || errno == ENOTEMPTY;
    if (busy && strcmp(kind, "leaf") != 0) return 0; /* a parent other cgroups use, kept */
    if (!busy) return -1;
    nanosleep(&(struct timespec){.tv_nsec = 2000000}, NULL);
  }
  return -1;
}

/* The state directory's files (it has no subdirectory), then the directory. */
static int remove_state_dir(const char *path) {
  DIR *d = opendir(path);
  if (d == NULL) return -1;
  struct dirent *e;
  int ok = 1;
  while ((e = readdir(d)) != NULL)
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) ok &= unlinkat(dirfd(d), e->d_name, 0) == 0;
  closedir(d);
  return ok && rmdir(path) == 0 ? 0 : -1;
}

static void delete_container(const char *root, const char *id) {
  char path[4500];
  int lock = lock_container(root, id);
  if (lock < 0) return;
  struct answers a;
  size_t len;
  const char *order = NULL;
  if (read_answers(root, id, &a) && !(a.pid > 0 && alive(a.pid, a.start))) order = block(a.text, "delete", &len);
  int ok = order != NULL;
  for (const char *p = order, *end = order ? order + len : NULL; ok && p < end;) {
    const char *nl = memchr(p, '\n', (size_t)(end - p)), *sp = memchr(p, ' ', (size_t)(end - p));
    if (nl == NULL || sp == NULL || sp > nl) break;
    char kind[8], dir[4096];
    snprintf(kind, sizeof kind, "%.*s", (int)(sp - p), p);
    snprintf(dir, sizeof dir, "%.*s", (int)(nl - sp - 1), sp + 1);
    if (strcmp(kind, "prune") == 0) rmdir(dir); /* ocirt's own parent: removed once empty */
    else ok = remove_cgroup(kind, dir) == 0;
    p = nl + 1;
  }
  if (ok && path_of(path, sizeof path, root, id, "") && remove_state_dir(path) == 0) exit(0);
  close(lock);
}

/* The value of --flag V or --flag=V at argv[*i] (advancing *i), or NULL when argv[*i] is not that flag. */
static const char *flag(char **argv, int argc, int *i, const char *name) {
  size_t n = strlen(name);
  if (strncmp(argv[*i], name, n) != 0) return NULL;
  if (argv[*i][n] == '=') return argv[*i] + n + 1;
  if (argv[*i][n] != 0 || *i + 1 >= argc) return NULL;
  return argv[++*i];
}

int main(int argc, char **argv) {
  args = argv;
  const char *root = NULL;
  int i = 1;
  for (; i < argc && argv[i][0] == '-'; i++) {
    const char *v;
    if ((v = flag(argv, argc, &i, "--root")) != NULL) root = v;
    else if (flag(argv, argc, &i, "--log-format") == NULL && flag(argv, argc, &i, "--log") == NULL) core();
  }
  /* the core logs errors only; a `state` that succeeds writes no log line */
  if (i + 2 == argc && strcmp(argv[i], "state") == 0) state(root ? root : default_root(), argv[i + 1]);
  if (strcmp(i < argc ? argv[i] : "", "delete") == 0 && (i + 2 == argc || (i + 3 == argc && (!strcmp(argv[i + 1], "--force") || !strcmp(argv[i + 1], "-f")))))
    delete_container(root ? root : default_root(), argv[argc - 1]);
  if (i + 2 == argc && strcmp(argv[i], "start") == 0) start_container(root ? root : default_root(), argv[i + 1]);
  if ((i + 2 == argc || i + 3 == argc) && strcmp(argv[i], "kill") == 0) kill_container(root ? root : default_root(), argv[i + 1], argv[i + 2]);
  core();
}
