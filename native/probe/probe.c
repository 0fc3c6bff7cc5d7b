/*
 * probe: the whole root filesystem of ocirt's sample bundles. It observes the container from the
 * inside and acts on request, so tests can check what a runtime set up without any image.
 *
 * usage: probe [ACTION...]          (no action = report)
 *   report            one line of JSON describing this process and what it sees
 *   sleep SECONDS     fractional seconds allowed
 *   exit CODE         exit at once with CODE (0..255)
 *   write PATH TEXT   create or truncate PATH and write TEXT (no newline added)
 *   print TEXT        TEXT and a newline on stdout
 *   stderr TEXT       TEXT and a newline on stderr
 *   fork N            N children that pause until killed; the parent goes on
 *   wait-signal       wait for a catchable signal (1..31), print {"signal":N}, exit 0
 *   ls PATH           JSON array of the entry names of directory PATH (sorted), or null
 *
 * The whole argv is checked before the first action runs, so a bad command line has no effects:
 * an unknown action or a bad argument prints "probe: ..." on stderr and exits 2.
 * When wait-signal is anywhere in argv, its handlers are installed (and the signals blocked) before
 * the first action, so `print ready wait-signal` cannot lose a signal sent after "ready" is read.
 *
 * Build: gcc -static -O2 -Wall -Wextra -o native/build/probe native/probe/probe.c
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static char **g_argv;

/* ---------- small helpers ---------- */

__attribute__((format(printf, 2, 3), noreturn)) static void fail(int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("probe: ", stderr);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  fflush(stderr);
  exit(code);
}

/* Reads a whole file; /proc files report size 0, so read until EOF. NULL when unreadable. */
static char *read_file(const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NULL;
  size_t cap = 0, len = 0;
  char *buf = NULL;
  ssize_t n;
  do {
    if (len + 1 >= cap) {
      char *bigger = realloc(buf, cap = cap ? cap * 2 : 4096);
      if (!bigger) { n = -1; break; }
      buf = bigger;
    }
    n = read(fd, buf + len, cap - len - 1);
    if (n > 0) len += (size_t)n;
  } while (n > 0 || (n < 0 && errno == EINTR));
  close(fd);
  if (n < 0) { free(buf); return NULL; }
  buf[len] = '\0';
  return buf;
}

static const char *next_line(const char *s) {
  const char *nl = strchr(s, '\n');
  return nl && nl[1] ? nl + 1 : NULL;
}

/* Copies the value of "Key:\tvalue" from /proc/self/status text into out; 0 on success. */
static int status_value(const char *status, const char *key, char *out, size_t size) {
  size_t klen = strlen(key);
  for (const char *line = status; line; line = next_line(line)) {
    if (strncmp(line, key, klen) != 0 || line[klen] != ':') continue;
    const char *v = line + klen + 1;
    while (*v == ' ' || *v == '\t') v++;
    size_t n = strcspn(v, "\n");
    if (n >= size) n = size - 1;
    memcpy(out, v, n);
    out[n] = '\0';
    return 0;
  }
  return -1;
}

/* Parses a whole non-negative decimal integer no larger than max; -1 when it is not one. */
static long parse_count(const char *s, long max) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || end == s || *end || v < 0 || v > max) return -1;
  return v;
}

/* ---------- JSON writer: one value at a time, commas tracked per nesting level ---------- */

#define JSON_MAX_DEPTH 8 /* report nests three deep */

struct json {
  FILE *out;
  int depth;
  int after_key;                 /* the next value follows a key: no comma */
  int has_items[JSON_MAX_DEPTH]; /* per level: something was written already */
};

static struct json J;

static void j_sep(void) {
  if (J.after_key) { J.after_key = 0; return; }
  if (J.depth > 0 && J.has_items[J.depth]++) fputc(',', J.out);
}

static void j_escaped(const char *s) {
  fputc('"', J.out);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\') fprintf(J.out, "\\%c", *p);
    else if (*p < 0x20 || *p == 0x7f) fprintf(J.out, "\\u%04x", *p);
    else fputc(*p, J.out);
  }
  fputc('"', J.out);
}

static void j_open(char c) {
  j_sep();
  fputc(c, J.out);
  J.has_items[++J.depth] = 0;
}

static void j_close(char c) {
  fputc(c, J.out);
  J.depth--;
}

static void j_key(const char *k) {
  j_sep();
  j_escaped(k);
  fputc(':', J.out);
  J.after_key = 1;
}

static void j_null(void) { j_sep(); fputs("null", J.out); }
static void j_int(long long v) { j_sep(); fprintf(J.out, "%lld", v); }
static void j_uint(unsigned long long v) { j_sep(); fprintf(J.out, "%llu", v); }

static void j_str(const char *s) {
  if (!s) { j_null(); return; }
  j_sep();
  j_escaped(s);
}

static void j_str_array(char *const *items) {
  j_open('[');
  for (; items && *items; items++) j_str(*items);
  j_close(']');
}

static void j_end_line(void) {
  fputc('\n', J.out);
  fflush(J.out);
}

/* ---------- report sections ---------- */

static void report_ids(void) {
  j_key("pid"); j_int(getpid());
  j_key("ppid"); j_int(getppid());
  j_key("uid"); j_int(getuid());
  j_key("gid"); j_int(getgid());
  j_key("euid"); j_int(geteuid());
  j_key("egid"); j_int(getegid());
  j_key("groups");
  int n = getgroups(0, NULL);
  gid_t *gids = n > 0 ? calloc((size_t)n, sizeof *gids) : NULL;
  if (gids) n = getgroups(n, gids);
  j_open('[');
  for (int i = 0; gids && i < n; i++) j_int(gids[i]);
  j_close(']');
  free(gids);
}

static void report_process(void) {
  char cwd[PATH_MAX];
  j_key("cwd"); j_str(getcwd(cwd, sizeof cwd));
  j_key("env"); j_str_array(environ);
  j_key("argv"); j_str_array(g_argv);
  struct utsname u;
  int ok = uname(&u) == 0;
  j_key("hostname"); j_str(ok ? u.nodename : NULL);
  j_key("domainname"); j_str(ok ? u.domainname : NULL);
}

/* "pid:[4026531836]" -> 4026531836; the inode identifies the namespace. */
static void report_namespaces(void) {
  static const char *const names[] = {"cgroup", "ipc", "mnt", "net", "pid", "pid_for_children",
                                      "time", "time_for_children", "user", "uts"};
  j_key("namespaces");
  j_open('{');
  for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
    char path[64], link[128];
    snprintf(path, sizeof path, "/proc/self/ns/%s", names[i]);
    ssize_t n = readlink(path, link, sizeof link - 1);
    const char *bracket = n > 0 ? (link[n] = '\0', strchr(link, '[')) : NULL;
    j_key(names[i]);
    if (bracket) j_uint(strtoull(bracket + 1, NULL, 10));
    else j_null();
  }
  j_close('}');
}

/* mountinfo escapes space, tab, newline and backslash in paths as \NNN (octal). */
static void unescape_octal(char *s) {
  char *w = s;
  for (char *r = s; *r; r++) {
    if (r[0] == '\\' && r[1] >= '0' && r[1] <= '7' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' &&
        r[3] <= '7') {
      *w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
      r += 3;
    } else {
      *w++ = *r;
    }
  }
  *w = '\0';
}

/* One line: ID PARENT MAJ:MIN ROOT POINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER_OPTIONS */
static void report_mount_line(char *line) {
  char *tok[64];
  int n = 0;
  /* strsep, not strtok: a mount with an empty source shows as two spaces in a row */
  for (char *t; n < 64 && (t = strsep(&line, " "));) tok[n++] = t;
  int dash = 6;
  while (dash < n && strcmp(tok[dash], "-") != 0) dash++;
  if (dash + 3 >= n) return; /* malformed: leave it out */
  char optional[1024] = "";
  for (int i = 6; i < dash; i++) {
    size_t used = strlen(optional);
    snprintf(optional + used, sizeof optional - used, "%s%s", i > 6 ? " " : "", tok[i]);
  }
  for (int i = 0; i < n; i++) unescape_octal(tok[i]);
  j_open('{');
  j_key("mount_id"); j_int(atoll(tok[0]));
  j_key("parent_id"); j_int(atoll(tok[1]));
  j_key("root"); j_str(tok[3]);
  j_key("mount_point"); j_str(tok[4]);
  j_key("options"); j_str(tok[5]);
  j_key("optional"); j_str(optional);
  j_key("fstype"); j_str(tok[dash + 1]);
  j_key("source"); j_str(tok[dash + 2]);
  j_key("super_options"); j_str(tok[dash + 3]);
  j_close('}');
}

static void report_mountinfo(void) {
  char *text = read_file("/proc/self/mountinfo");
  j_key("mountinfo");
  if (!text) { j_null(); return; }
  j_open('[');
  for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
    report_mount_line(line);
  j_close(']');
  free(text);
}

static void report_capabilities(const char *status) {
  static const char *const sets[][2] = {{"inheritable", "CapInh"}, {"permitted", "CapPrm"},
                                        {"effective", "CapEff"},   {"bounding", "CapBnd"},
                                        {"ambient", "CapAmb"}};
  j_key("capabilities");
  if (!status) { j_null(); return; }
  j_open('{');
  for (size_t i = 0; i < sizeof sets / sizeof *sets; i++) {
    char value[64];
    j_key(sets[i][0]);
    j_str(status_value(status, sets[i][1], value, sizeof value) == 0 ? value : NULL);
  }
  j_close('}');
}

#define RL(name) {#name, name}

static void report_rlimits(void) {
  static const struct { const char *name; int resource; } limits[] = {
      RL(RLIMIT_AS),      RL(RLIMIT_CORE),    RL(RLIMIT_CPU),     RL(RLIMIT_DATA),
      RL(RLIMIT_FSIZE),   RL(RLIMIT_LOCKS),   RL(RLIMIT_MEMLOCK), RL(RLIMIT_MSGQUEUE),
      RL(RLIMIT_NICE),    RL(RLIMIT_NOFILE),  RL(RLIMIT_NPROC),   RL(RLIMIT_RSS),
      RL(RLIMIT_RTPRIO),  RL(RLIMIT_RTTIME),  RL(RLIMIT_SIGPENDING), RL(RLIMIT_STACK),
  };
  j_key("rlimits");
  j_open('{');
  for (size_t i = 0; i < sizeof limits / sizeof *limits; i++) {
    struct rlimit rl;
    j_key(limits[i].name);
    if (getrlimit(limits[i].resource, &rl) != 0) { j_null(); continue; }
    j_open('{');
    j_key("soft"); j_int(rl.rlim_cur == RLIM_INFINITY ? -1 : (long long)rl.rlim_cur);
    j_key("hard"); j_int(rl.rlim_max == RLIM_INFINITY ? -1 : (long long)rl.rlim_max);
    j_close('}');
  }
  j_close('}');
}

static void report_status_fields(const char *status) {
  char value[64];
  j_key("umask");
  if (status && status_value(status, "Umask", value, sizeof value) == 0) {
    j_int(strtol(value, NULL, 8));
  } else { /* kernels before 4.7 have no Umask line: read it by setting and restoring */
    mode_t m = umask(0);
    umask(m);
    j_int(m);
  }
  int nnp = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
  j_key("no_new_privs");
  if (nnp < 0) j_null(); else j_int(nnp);
  j_key("seccomp");
  if (status && status_value(status, "Seccomp", value, sizeof value) == 0) j_int(atoll(value));
  else j_null();
}

static void report_proc_files(void) {
  char *oom = read_file("/proc/self/oom_score_adj");
  j_key("oom_score_adj");
  if (oom) j_int(atoll(oom)); else j_null();
  free(oom);
  char *cg = read_file("/proc/self/cgroup");
  j_key("cgroup");
  if (!cg) { j_null(); return; }
  j_open('[');
  for (char *save = NULL, *line = strtok_r(cg, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
    j_str(line);
  j_close(']');
  free(cg);
}

static void act_report(char **args) {
  (void)args;
  char *status = read_file("/proc/self/status");
  j_open('{');
  report_ids();
  report_process();
  report_namespaces();
  report_mountinfo();
  report_capabilities(status);
  report_rlimits();
  report_status_fields(status);
  report_proc_files();
  j_close('}');
  j_end_line();
  free(status);
}

/* ---------- the other actions ---------- */

static void act_sleep(char **args) {
  double s = strtod(args[0], NULL);
  struct timespec left = {.tv_sec = (time_t)s, .tv_nsec = (long)((s - (double)(time_t)s) * 1e9)};
  while (nanosleep(&left, &left) < 0 && errno == EINTR) {
  }
}

static void act_exit(char **args) { exit((int)parse_count(args[0], 255)); }

static void act_write(char **args) {
  int fd = open(args[0], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail(1, "write %s: %s", args[0], strerror(errno));
  size_t len = strlen(args[1]), done = 0;
  while (done < len) {
    ssize_t n = write(fd, args[1] + done, len - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(1, "write %s: %s", args[0], strerror(errno));
    done += (size_t)n;
  }
  close(fd);
}

static void act_print(char **args) {
  printf("%s\n", args[0]);
  fflush(stdout);
}

static void act_stderr(char **args) {
  fprintf(stderr, "%s\n", args[0]);
  fflush(stderr);
}

static volatile sig_atomic_t g_caught;
static int g_handlers_installed;

static void on_signal(int sig) { g_caught = sig; }

/* Catches every catchable signal 1..31 and blocks them until wait-signal's sigsuspend. */
static void install_signal_handlers(void) {
  if (g_handlers_installed++) return;
  struct sigaction sa = {.sa_handler = on_signal};
  sigfillset(&sa.sa_mask);
  sigset_t block;
  sigemptyset(&block);
  for (int sig = 1; sig <= 31; sig++) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    if (sigaction(sig, &sa, NULL) == 0) sigaddset(&block, sig);
  }
  sigprocmask(SIG_BLOCK, &block, NULL);
}

static void reset_signal_handlers(void) {
  if (!g_handlers_installed) return;
  for (int sig = 1; sig <= 31; sig++)
    if (sig != SIGKILL && sig != SIGSTOP) signal(sig, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
}

static void act_fork(char **args) {
  long n = parse_count(args[0], 100000);
  fflush(NULL); /* so children never repeat buffered output */
  for (long i = 0; i < n; i++) {
    pid_t pid = fork();
    if (pid < 0) fail(1, "fork: %s", strerror(errno));
    if (pid > 0) continue;
    reset_signal_handlers(); /* the children only wait to be killed */
    for (;;) pause();
  }
}

static void act_wait_signal(char **args) {
  (void)args;
  install_signal_handlers();
  sigset_t none;
  sigemptyset(&none);
  while (!g_caught) sigsuspend(&none);
  printf("{\"signal\":%d}\n", (int)g_caught);
  fflush(stdout);
  exit(0);
}

static int compare_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void act_ls(char **args) {
  DIR *dir = opendir(args[0]);
  if (!dir) { j_null(); j_end_line(); return; }
  size_t n = 0, cap = 16;
  char **names = malloc(cap * sizeof *names);
  for (struct dirent *e; names && (e = readdir(dir));) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    if (n + 1 >= cap) {
      char **bigger = realloc(names, (cap *= 2) * sizeof *names);
      if (!bigger) break;
      names = bigger;
    }
    names[n++] = strdup(e->d_name);
  }
  closedir(dir);
  qsort(names, n, sizeof *names, compare_names);
  if (names) names[n] = NULL;
  j_str_array(names);
  j_end_line();
  for (size_t i = 0; i < n; i++) free(names[i]);
  free(names);
}

/* ---------- the grammar ---------- */

/* check returns NULL when the arguments are acceptable, else what is wrong with them. */
struct action {
  const char *name;
  int nargs;
  const char *(*check)(char **args);
  void (*run)(char **args);
};

static const char *check_seconds(char **args) {
  char *end;
  double s = strtod(args[0], &end);
  return end == args[0] || *end || !isfinite(s) || s < 0 || s > 1e9 ? "not a number of seconds" : NULL;
}

static const char *check_code(char **args) {
  return parse_count(args[0], 255) < 0 ? "not an exit code (0..255)" : NULL;
}

static const char *check_count(char **args) {
  return parse_count(args[0], 100000) < 0 ? "not a count (0..100000)" : NULL;
}

static const struct action ACTIONS[] = {
    {"report", 0, NULL, act_report},  {"sleep", 1, check_seconds, act_sleep},
    {"exit", 1, check_code, act_exit}, {"write", 2, NULL, act_write},
    {"print", 1, NULL, act_print},    {"stderr", 1, NULL, act_stderr},
    {"fork", 1, check_count, act_fork}, {"wait-signal", 0, NULL, act_wait_signal},
    {"ls", 1, NULL, act_ls},
};

static const struct action *find_action(const char *name) {
  for (size_t i = 0; i < sizeof ACTIONS / sizeof *ACTIONS; i++)
    if (!strcmp(ACTIONS[i].name, name)) return &ACTIONS[i];
  return NULL;
}

/* Walks argv as the actions will; exits 2 on the first problem. Says whether wait-signal occurs. */
static int check_argv(int argc, char **argv) {
  int waits = 0;
  for (int i = 1; i < argc;) {
    const struct action *a = find_action(argv[i]);
    if (!a) fail(2, "unknown action %s", argv[i]);
    if (a->nargs > argc - i - 1)
      fail(2, "%s needs %d argument%s", a->name, a->nargs, a->nargs == 1 ? "" : "s");
    const char *why = a->check ? a->check(argv + i + 1) : NULL;
    if (why) fail(2, "%s %s: %s", a->name, argv[i + 1], why);
    waits |= a->run == act_wait_signal;
    i += 1 + a->nargs;
  }
  return waits;
}

int main(int argc, char **argv) {
  g_argv = argv;
  J.out = stdout;
  if (check_argv(argc, argv)) install_signal_handlers();
  if (argc < 2) act_report(NULL);
  for (int i = 1; i < argc;) {
    const struct action *a = find_action(argv[i]);
    a->run(argv + i + 1);
    i += 1 + a->nargs;
  }
  return 0;
}
