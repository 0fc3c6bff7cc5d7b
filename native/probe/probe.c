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
 *   alloc MIB         map MIB MiB of anonymous memory and touch every page, then print
 *                     {"allocated":MIB}: under a smaller memory limit the OOM killer ends it first
 *   wait-signal       wait for a catchable signal (1..31), print {"signal":N}, exit 0
 *   ls PATH           JSON array of the entry names of directory PATH (sorted), or null
 *   stat PATH         {"path","type","mode","uid","gid","major","minor"} of PATH (symlinks followed),
 *                     or {"path","errno"}; type is file, dir, char, block, fifo, socket or symlink
 *   read PATH         {"path","bytes","text"} (the first 64 KiB; bytes outside printable ASCII as
 *                     \u00XX), or {"path","errno"}: for /proc/sys files and masked paths
 *   attempt-write PATH TEXT
 *                     like write, but reports {"path","errno"} (0: written) instead of failing:
 *                     for read-only paths (EROFS is 30)
 *   syscall NAME [ARG...]
 *                     one raw system call, {"syscall","ret","errno"} (errno 0 when ret >= 0), to see
 *                     what a seccomp filter does to it. NAME and its ARGs (numbers: decimal, 0x hex
 *                     or 0 octal; p: a path):
 *                       getcwd, uname, getpid (none); umask N; personality N; getpriority N N;
 *                       mkdir P N; chmod P N
 *   syscall32 NAME [ARG...]
 *                     the same through the i386 entry (int 0x80; x86_64 only, else errno ENOSYS):
 *                       getpid; umask N; personality N; getpriority N N
 *   personality       {"persona","machine"}: personality(0xffffffff) and uname's machine
 *   clocks            {"monotonic","boottime","realtime"} in seconds (clock_gettime)
 *   netdevs           JSON array of the network interfaces (sorted by name): name, index, flags,
 *                     up, mtu, mac, addrs [{family inet|inet6, address, prefix}]
 *   listen PATH ERRNO a seccomp agent, for the host: listens on the AF_UNIX SOCK_STREAM socket PATH
 *                     and prints {"listening":PATH}; for each connection, once the peer closes it
 *                     (or 3 s pass without data), one line {"connection":N,"closed","chunks":[{"bytes",
 *                     "fds"}],"payload","fds":[what each received fd is]}; answers each notification
 *                     on a received seccomp notify fd with -ERRNO and prints {"notification":{"pid",
 *                     "syscall","arch"},"answered":ERRNO,"sent"}. Runs until killed.
 *
 * The whole argv is checked before the first action runs, so a bad command line has no effects:
 * an unknown action or a bad argument prints "probe: ..." on stderr and exits 2.
 * When wait-signal is anywhere in argv, its handlers are installed (and the signals blocked) before
 * the first action, so `print ready wait-signal` cannot lose a signal sent after "ready" is read.
 *
 * Build: gcc -static -O2 -Wall -Wextra -o native/build/probe native/probe/probe.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <limits.h>
#include <linux/if_packet.h>
#include <linux/seccomp.h>
#include <math.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
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

/* Bytes that may not be text (a file's contents): NUL and anything outside printable ASCII as \u00XX. */
static void j_bytes(const char *s, size_t n) {
  j_sep();
  fputc('"', J.out);
  for (const unsigned char *p = (const unsigned char *)s; p < (const unsigned char *)s + n; p++) {
    if (*p == '"' || *p == '\\') fprintf(J.out, "\\%c", *p);
    else if (*p < 0x20 || *p >= 0x7f) fprintf(J.out, "\\u%04x", *p);
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
static void j_bool(int v) { j_sep(); fputs(v ? "true" : "false", J.out); }

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

static void act_alloc(char **args) {
  long mib = parse_count(args[0], 100000);
  size_t len = (size_t)mib << 20;
  unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) fail(1, "mmap: %s", strerror(errno));
  for (size_t off = 0; off < len; off += 4096) p[off] = 1; /* each page is charged once touched */
  printf("{\"allocated\":%ld}\n", mib);
  fflush(stdout);
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

/* ---------- looking at files ---------- */

/* {"path":P,"errno":E}: what an action that could not do its work on P reports. */
static void j_path_errno(const char *path, int err) {
  j_open('{');
  j_key("path"); j_str(path);
  j_key("errno"); j_int(err);
  j_close('}');
  j_end_line();
}

static const char *file_type(mode_t m) {
  if (S_ISREG(m)) return "file";
  if (S_ISDIR(m)) return "dir";
  if (S_ISCHR(m)) return "char";
  if (S_ISBLK(m)) return "block";
  if (S_ISFIFO(m)) return "fifo";
  if (S_ISSOCK(m)) return "socket";
  if (S_ISLNK(m)) return "symlink";
  return "unknown";
}

static void act_stat(char **args) {
  struct stat st;
  if (stat(args[0], &st) != 0) { j_path_errno(args[0], errno); return; }
  j_open('{');
  j_key("path"); j_str(args[0]);
  j_key("type"); j_str(file_type(st.st_mode));
  j_key("mode"); j_int(st.st_mode & 07777);
  j_key("uid"); j_int(st.st_uid);
  j_key("gid"); j_int(st.st_gid);
  j_key("major"); j_int(major(st.st_rdev));
  j_key("minor"); j_int(minor(st.st_rdev));
  j_close('}');
  j_end_line();
}

#define READ_MAX (64 * 1024)

static void act_read(char **args) {
  int fd = open(args[0], O_RDONLY | O_CLOEXEC);
  if (fd < 0) { j_path_errno(args[0], errno); return; }
  static char buf[READ_MAX];
  size_t len = 0;
  while (len < sizeof buf) {
    ssize_t n = read(fd, buf + len, sizeof buf - len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) { int e = errno; close(fd); j_path_errno(args[0], e); return; }
    if (n == 0) break;
    len += (size_t)n;
  }
  close(fd);
  j_open('{');
  j_key("path"); j_str(args[0]);
  j_key("bytes"); j_int((long long)len);
  j_key("text"); j_bytes(buf, len);
  j_close('}');
  j_end_line();
}

static void act_attempt_write(char **args) {
  int fd = open(args[0], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int err = fd < 0 ? errno : 0;
  size_t len = strlen(args[1]), done = 0;
  while (!err && done < len) {
    ssize_t n = write(fd, args[1] + done, len - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) err = errno; else done += (size_t)n;
  }
  if (fd >= 0 && close(fd) != 0 && !err) err = errno;
  j_path_errno(args[0], err);
}

/* ---------- system calls, for seccomp ---------- */

/* args: one letter per argument, n a number, p a path. */
struct sys {
  const char *name;
  long nr;    /* x86_64 (native) number */
  long nr32;  /* i386 number, -1 when syscall32 does not offer it */
  const char *args;
};

static const struct sys SYSCALLS[] = {
    {"getcwd", SYS_getcwd, -1, ""},       {"uname", SYS_uname, -1, ""},
    {"getpid", SYS_getpid, 20, ""},       {"umask", SYS_umask, 60, "n"},
    {"personality", SYS_personality, 136, "n"}, {"getpriority", SYS_getpriority, 96, "nn"},
#ifdef SYS_mkdir
    {"mkdir", SYS_mkdir, -1, "pn"},       {"chmod", SYS_chmod, -1, "pn"},
#endif
};

static const struct sys *find_syscall(const char *name, int i386) {
  for (size_t i = 0; i < sizeof SYSCALLS / sizeof *SYSCALLS; i++)
    if (!strcmp(SYSCALLS[i].name, name) && (!i386 || SYSCALLS[i].nr32 >= 0)) return &SYSCALLS[i];
  return NULL;
}

/* A whole number in any base strtoull takes (0x hex, 0 octal); 0 on success. */
static int parse_number(const char *s, unsigned long long *out) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 0);
  if (errno || end == s || *end || *s == '-') return -1;
  *out = v;
  return 0;
}

/* The arguments the syscall named in args[0] takes, plus its name; -1 for an unknown name. */
static int arity_syscall_of(char **args, int left, int i386) {
  if (left < 1) return -1;
  const struct sys *sc = find_syscall(args[0], i386);
  return sc ? 1 + (int)strlen(sc->args) : -1;
}
static int arity_syscall(char **args, int left) { return arity_syscall_of(args, left, 0); }
static int arity_syscall32(char **args, int left) { return arity_syscall_of(args, left, 1); }

static const char *check_syscall_args(char **args, int i386) {
  const struct sys *sc = find_syscall(args[0], i386);
  for (size_t i = 0; sc->args[i]; i++) {
    unsigned long long v;
    if (sc->args[i] == 'n' && parse_number(args[1 + i], &v) != 0) return "an argument is not a number";
  }
  return NULL;
}
static const char *check_syscall(char **args) { return check_syscall_args(args, 0); }
static const char *check_syscall32(char **args) { return check_syscall_args(args, 1); }

static void j_syscall_result(const char *name, long ret, int err) {
  j_open('{');
  j_key("syscall"); j_str(name);
  j_key("ret"); j_int(ret);
  j_key("errno"); j_int(ret < 0 ? err : 0);
  j_close('}');
  j_end_line();
}

static void act_syscall(char **args) {
  const struct sys *sc = find_syscall(args[0], 0);
  long a[2] = {0, 0};
  for (size_t i = 0; sc->args[i] && i < 2; i++) {
    unsigned long long v = 0;
    if (sc->args[i] == 'n') parse_number(args[1 + i], &v);
    a[i] = sc->args[i] == 'p' ? (long)args[1 + i] : (long)v;
  }
  static char buf[PATH_MAX];
  static struct utsname u;
  long ret;
  errno = 0;
  if (sc->nr == SYS_getcwd) ret = syscall(sc->nr, buf, sizeof buf);
  else if (sc->nr == SYS_uname) ret = syscall(sc->nr, &u);
  else ret = syscall(sc->nr, a[0], a[1]);
  j_syscall_result(sc->name, ret, errno);
}

/* The i386 system call nr through int 0x80: the kernel sees AUDIT_ARCH_I386, as seccomp does. */
static long syscall_i386(long nr, long a, long b) {
#if defined(__x86_64__)
  long ret;
  __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b) : "memory", "r8", "r9", "r10", "r11");
  return (int)ret; /* a 32-bit result: -4095..-1 is -errno */
#else
  (void)nr, (void)a, (void)b;
  return -ENOSYS;
#endif
}

static void act_syscall32(char **args) {
  const struct sys *sc = find_syscall(args[0], 1);
  unsigned long long a[2] = {0, 0};
  for (size_t i = 0; sc->args[i] && i < 2; i++) parse_number(args[1 + i], &a[i]);
  long ret = syscall_i386(sc->nr32, (long)a[0], (long)a[1]);
  j_syscall_result(sc->name, ret < 0 && ret >= -4095 ? -1 : ret, ret < 0 && ret >= -4095 ? (int)-ret : 0);
}

/* ---------- execution domain, clocks, network interfaces ---------- */

static void act_personality(char **args) {
  (void)args;
  int persona = personality(0xffffffff);
  struct utsname u;
  int ok = uname(&u) == 0;
  j_open('{');
  j_key("persona"); j_int(persona);
  j_key("machine"); j_str(ok ? u.machine : NULL);
  j_close('}');
  j_end_line();
}

static void j_clock(const char *key, clockid_t id) {
  struct timespec t;
  j_key(key);
  if (clock_gettime(id, &t) != 0) { j_null(); return; }
  j_sep();
  fprintf(J.out, "%lld.%09ld", (long long)t.tv_sec, t.tv_nsec);
}

static void act_clocks(char **args) {
  (void)args;
  j_open('{');
  j_clock("monotonic", CLOCK_MONOTONIC);
  j_clock("boottime", CLOCK_BOOTTIME);
  j_clock("realtime", CLOCK_REALTIME);
  j_close('}');
  j_end_line();
}

static int compare_ifaddr_names(const void *a, const void *b) {
  return strcmp((*(struct ifaddrs *const *)a)->ifa_name, (*(struct ifaddrs *const *)b)->ifa_name);
}

static int prefix_length(const unsigned char *mask, size_t n) {
  int bits = 0;
  for (size_t i = 0; i < n; i++) bits += __builtin_popcount(mask[i]);
  return bits;
}

/* One interface: its getifaddrs entries all share ifa_name; `first` is the first of them. */
static void report_interface(struct ifaddrs **entries, size_t from, size_t to, int sock) {
  const char *name = entries[from]->ifa_name;
  j_open('{');
  j_key("name"); j_str(name);
  j_key("index"); j_int(if_nametoindex(name));
  j_key("flags"); j_int(entries[from]->ifa_flags);
  j_key("up"); j_bool(entries[from]->ifa_flags & IFF_UP);
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
  j_key("mtu");
  if (sock >= 0 && ioctl(sock, SIOCGIFMTU, &ifr) == 0) j_int(ifr.ifr_mtu); else j_null();
  char mac[3 * 32] = "";
  for (size_t i = from; i < to; i++) {
    struct sockaddr *sa = entries[i]->ifa_addr;
    if (!sa || sa->sa_family != AF_PACKET) continue;
    struct sockaddr_ll *ll = (struct sockaddr_ll *)sa;
    for (int b = 0; b < ll->sll_halen && b < 32; b++)
      snprintf(mac + strlen(mac), sizeof mac - strlen(mac), "%s%02x", b ? ":" : "", ll->sll_addr[b]);
  }
  j_key("mac"); j_str(mac);
  j_key("addrs");
  j_open('[');
  for (size_t i = from; i < to; i++) {
    struct sockaddr *sa = entries[i]->ifa_addr, *nm = entries[i]->ifa_netmask;
    if (!sa || (sa->sa_family != AF_INET && sa->sa_family != AF_INET6)) continue;
    char text[INET6_ADDRSTRLEN] = "";
    int v6 = sa->sa_family == AF_INET6;
    const void *addr = v6 ? (const void *)&((struct sockaddr_in6 *)sa)->sin6_addr : (const void *)&((struct sockaddr_in *)sa)->sin_addr;
    inet_ntop(sa->sa_family, addr, text, sizeof text);
    j_open('{');
    j_key("family"); j_str(v6 ? "inet6" : "inet");
    j_key("address"); j_str(text);
    j_key("prefix");
    if (!nm) j_null();
    else if (v6) j_int(prefix_length(((struct sockaddr_in6 *)nm)->sin6_addr.s6_addr, 16));
    else j_int(prefix_length((const unsigned char *)&((struct sockaddr_in *)nm)->sin_addr, 4));
    j_close('}');
  }
  j_close(']');
  j_close('}');
}

static void act_netdevs(char **args) {
  (void)args;
  struct ifaddrs *list;
  if (getifaddrs(&list) != 0) { j_null(); j_end_line(); return; }
  size_t n = 0;
  for (struct ifaddrs *i = list; i; i = i->ifa_next) n++;
  struct ifaddrs **entries = calloc(n ? n : 1, sizeof *entries);
  n = 0;
  for (struct ifaddrs *i = list; entries && i; i = i->ifa_next) entries[n++] = i;
  /* stable for one name: AF_PACKET comes first from getifaddrs, then the addresses in order */
  for (size_t i = 1; i < n; i++) /* insertion sort keeps equal names in their order */
    for (size_t j = i; j > 0 && compare_ifaddr_names(&entries[j - 1], &entries[j]) > 0; j--) {
      struct ifaddrs *t = entries[j]; entries[j] = entries[j - 1]; entries[j - 1] = t;
    }
  int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  j_open('[');
  for (size_t from = 0; from < n;) {
    size_t to = from + 1;
    while (to < n && !strcmp(entries[to]->ifa_name, entries[from]->ifa_name)) to++;
    report_interface(entries, from, to, sock);
    from = to;
  }
  j_close(']');
  j_end_line();
  if (sock >= 0) close(sock);
  free(entries);
  freeifaddrs(list);
}

/* ---------- listen: a seccomp agent on the host ---------- */

#define AGENT_MAX_FDS 16
#define AGENT_IDLE_MS 3000
#define AGENT_PAYLOAD_MAX (64 * 1024)

static int g_notify[AGENT_MAX_FDS];
static int g_notify_count;

/* Reads one connection to its end; prints what came (chunks, payload, fds); keeps notify fds. */
static void agent_connection(int conn, int number) {
  static char payload[AGENT_PAYLOAD_MAX];
  size_t len = 0;
  int fds[AGENT_MAX_FDS], nfds = 0, closed = 0;
  struct { long long bytes; int fds; } chunks[64];
  int nchunks = 0;
  for (;;) {
    struct pollfd p = {.fd = conn, .events = POLLIN};
    int ready = poll(&p, 1, AGENT_IDLE_MS);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) break; /* the peer neither sent nor closed */
    char data[4096];
    union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int) * AGENT_MAX_FDS)]; } control;
    struct iovec iov = {.iov_base = data, .iov_len = sizeof data};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof control.buf};
    ssize_t n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) { closed = n == 0; break; }
    int got = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
      int k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
      for (int i = 0; i < k; i++) {
        int fd;
        memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
        if (nfds < AGENT_MAX_FDS) fds[nfds++] = fd; else close(fd);
        got++;
      }
    }
    if (nchunks < 64) { chunks[nchunks].bytes = n; chunks[nchunks].fds = got; nchunks++; }
    size_t room = sizeof payload - len;
    memcpy(payload + len, data, (size_t)n < room ? (size_t)n : room);
    len += (size_t)n < room ? (size_t)n : room;
  }
  j_open('{');
  j_key("connection"); j_int(number);
  j_key("closed"); j_bool(closed);
  j_key("chunks");
  j_open('[');
  for (int i = 0; i < nchunks; i++) {
    j_open('{');
    j_key("bytes"); j_int(chunks[i].bytes);
    j_key("fds"); j_int(chunks[i].fds);
    j_close('}');
  }
  j_close(']');
  j_key("payload"); j_bytes(payload, len);
  j_key("fds");
  j_open('[');
  for (int i = 0; i < nfds; i++) {
    char path[64], link[256];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fds[i]);
    ssize_t k = readlink(path, link, sizeof link - 1);
    link[k > 0 ? k : 0] = '\0';
    j_str(link);
    if (!strcmp(link, "anon_inode:seccomp notify") && g_notify_count < AGENT_MAX_FDS) g_notify[g_notify_count++] = fds[i];
    else close(fds[i]);
  }
  j_close(']');
  j_close('}');
  j_end_line();
}

/* One notification: answered with -answer, so the container's system call fails with that errno. */
static void agent_notification(int fd, int answer) {
  struct seccomp_notif req;
  memset(&req, 0, sizeof req); /* the kernel insists */
  if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) != 0) return; /* gone meanwhile (ENOENT) */
  struct seccomp_notif_resp resp = {.id = req.id, .error = -answer, .val = 0, .flags = 0};
  int sent = ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0;
  j_open('{');
  j_key("notification");
  j_open('{');
  j_key("pid"); j_int(req.pid);
  j_key("syscall"); j_int(req.data.nr);
  j_key("arch"); j_uint(req.data.arch);
  j_close('}');
  j_key("answered"); j_int(answer);
  j_key("sent"); j_bool(sent);
  j_close('}');
  j_end_line();
}

static const char *check_listen(char **args) {
  if (strlen(args[0]) >= sizeof ((struct sockaddr_un *)0)->sun_path) return "a socket path too long for sun_path";
  return parse_count(args[1], 4095) < 1 ? "not an errno (1..4095)" : NULL;
}

static void act_listen(char **args) {
  int answer = (int)parse_count(args[1], 4095);
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  snprintf(addr.sun_path, sizeof addr.sun_path, "%s", args[0]);
  if (s < 0 || bind(s, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(s, 16) != 0)
    fail(1, "listen %s: %s", args[0], strerror(errno));
  j_open('{');
  j_key("listening"); j_str(args[0]);
  j_close('}');
  j_end_line();
  for (int connections = 0;;) {
    struct pollfd p[1 + AGENT_MAX_FDS];
    p[0] = (struct pollfd){.fd = s, .events = POLLIN};
    for (int i = 0; i < g_notify_count; i++) p[1 + i] = (struct pollfd){.fd = g_notify[i], .events = POLLIN};
    if (poll(p, 1 + (nfds_t)g_notify_count, -1) < 0) {
      if (errno == EINTR) continue;
      fail(1, "listen: poll: %s", strerror(errno));
    }
    for (int i = g_notify_count - 1; i >= 0; i--) {
      if (p[1 + i].revents & POLLIN) agent_notification(g_notify[i], answer);
      else if (p[1 + i].revents & (POLLHUP | POLLERR | POLLNVAL)) { /* no task uses the filter any more */
        close(g_notify[i]);
        g_notify[i] = g_notify[--g_notify_count];
      }
    }
    if (p[0].revents & POLLIN) {
      int conn = accept4(s, NULL, NULL, SOCK_CLOEXEC);
      if (conn >= 0) {
        agent_connection(conn, ++connections);
        close(conn);
      }
    }
  }
}

/* ---------- the grammar ---------- */

/*
 * check returns NULL when the arguments are acceptable, else what is wrong with them. An action
 * whose argument count depends on its first argument (syscall NAME ...) has an arity function
 * instead of nargs: given the rest of argv and its length, the count, or -1 when it is not one.
 */
struct action {
  const char *name;
  int nargs;
  const char *(*check)(char **args);
  void (*run)(char **args);
  int (*arity)(char **args, int left);
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
    {"report", 0, NULL, act_report, NULL},
    {"sleep", 1, check_seconds, act_sleep, NULL},
    {"exit", 1, check_code, act_exit, NULL},
    {"write", 2, NULL, act_write, NULL},
    {"print", 1, NULL, act_print, NULL},
    {"stderr", 1, NULL, act_stderr, NULL},
    {"fork", 1, check_count, act_fork, NULL},
    {"alloc", 1, check_count, act_alloc, NULL},
    {"wait-signal", 0, NULL, act_wait_signal, NULL},
    {"ls", 1, NULL, act_ls, NULL},
    {"stat", 1, NULL, act_stat, NULL},
    {"read", 1, NULL, act_read, NULL},
    {"attempt-write", 2, NULL, act_attempt_write, NULL},
    {"syscall", 0, check_syscall, act_syscall, arity_syscall},
    {"syscall32", 0, check_syscall32, act_syscall32, arity_syscall32},
    {"personality", 0, NULL, act_personality, NULL},
    {"clocks", 0, NULL, act_clocks, NULL},
    {"netdevs", 0, NULL, act_netdevs, NULL},
    {"listen", 2, check_listen, act_listen, NULL},
};

static const struct action *find_action(const char *name) {
  for (size_t i = 0; i < sizeof ACTIONS / sizeof *ACTIONS; i++)
    if (!strcmp(ACTIONS[i].name, name)) return &ACTIONS[i];
  return NULL;
}

static int nargs_of(const struct action *a, char **args, int left) {
  return a->arity ? a->arity(args, left) : a->nargs;
}

/* Walks argv as the actions will; exits 2 on the first problem. Says whether wait-signal occurs. */
static int check_argv(int argc, char **argv) {
  int waits = 0;
  for (int i = 1; i < argc;) {
    const struct action *a = find_action(argv[i]);
    if (!a) fail(2, "unknown action %s", argv[i]);
    int left = argc - i - 1;
    if (a->arity && a->arity(argv + i + 1, left) < 0)
      fail(2, "%s %s: not a system call it knows", a->name, left > 0 ? argv[i + 1] : "(none)");
    int nargs = nargs_of(a, argv + i + 1, left);
    if (nargs > left && a->arity)
      fail(2, "%s %s needs %d argument%s", a->name, argv[i + 1], nargs - 1, nargs == 2 ? "" : "s");
    if (nargs > left) fail(2, "%s needs %d argument%s", a->name, nargs, nargs == 1 ? "" : "s");
    const char *why = a->check ? a->check(argv + i + 1) : NULL;
    if (why) fail(2, "%s %s: %s", a->name, argv[i + 1], why);
    waits |= a->run == act_wait_signal;
    i += 1 + nargs;
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
    i += 1 + nargs_of(a, argv + i + 1, argc - i - 1);
  }
  return 0;
}
