#define _GNU_SOURCE
#include "steps.h"

#include "console.h"
#include "hook.h"
#include "hostns.h"
#include "inroot.h"
#include "mounts.h"
#include "security.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

/* linux/keyctl.h */
#define KEYCTL_SETPERM 5
#define KEYCTL_DESCRIBE 6
#define KEYCTL_JOIN_SESSION_KEYRING 1
#define KEY_USR_SEARCH 0x00080000

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static const char *opt(const struct record *r, unsigned i) {
  const char *s = arg_str(r, i);
  return *s ? s : NULL;
}

int write_and_close(int fd, const char *data) {
  size_t len = strlen(data);
  ssize_t n = write(fd, data, len);
  close_keep_errno(fd);
  return n == (ssize_t)len ? 0 : -1;
}

int write_file(const char *path, const char *data) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  return fd < 0 ? -1 : write_and_close(fd, data);
}

static int do_listen(const char *path, struct context *c) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof addr.sun_path) return errno = ENAMETOOLONG, -1;
  strcpy(addr.sun_path, path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  unlink(path);
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(fd, 1) < 0) return -1;
  c->listen_fd = fd;
  return 0;
}

static int do_setns(const char *path, int nstype) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  int rc = setns(fd, nstype);
  close_keep_errno(fd);
  return rc;
}

/* Creates the user namespace, then waits while stage 0 writes its maps (stage 0 has the plan too). */
static int unshare_user(const struct record *r, struct context *c) {
  if (unshare(CLONE_NEWUSER) < 0) return -1;
  int64_t step = r->step, reply = 0;
  if (write(c->inner_fd, &step, sizeof step) != sizeof step) return -1;
  if (read(c->inner_fd, &reply, sizeof reply) != sizeof reply) return errno = EPIPE, -1;
  if (reply != 0) return errno = (int)reply, -1;
  /* Become the namespace's root where 0 is mapped, so files made by later steps have an owner. */
  if (setresgid(0, 0, 0) < 0 && errno != EINVAL) return -1;
  if (setresuid(0, 0, 0) < 0 && errno != EINVAL) return -1;
  return 0;
}

/* pivot_root(".", ".") then detach the old root: no temporary directory in the rootfs (runc's way). */
/* A new session keyring for the init (keyctl(2) KEYCTL_JOIN_SESSION_KEYRING), as runc makes one: the
 * container sees none of the caller's keys. Its owner may search it (runc adds KEY_USR_SEARCH). A
 * kernel without keyrings (ENOSYS) leaves the caller's, as runc does. */
static int join_session_keyring(const char *name) {
  long id = syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name);
  if (id < 0) return errno == ENOSYS ? 0 : -1;
  char desc[4352]; /* a description is at most 4095 bytes, plus type, uid, gid and perm */
  long n = syscall(SYS_keyctl, KEYCTL_DESCRIBE, id, desc, sizeof desc);
  if (n < 0 || (size_t)n > sizeof desc) return errno = n < 0 ? errno : EOVERFLOW, -1;
  unsigned long perm; /* "type;uid;gid;perm;description", perm in hex */
  char *p = desc;
  for (int i = 0; i < 3 && p != NULL; i++) p = strchr(p, ';') ? strchr(p, ';') + 1 : NULL;
  if (p == NULL || sscanf(p, "%lx", &perm) != 1) return errno = EPROTO, -1;
  return syscall(SYS_keyctl, KEYCTL_SETPERM, id, perm | KEY_USR_SEARCH) < 0 ? -1 : 0;
}

/* Lets go of a slot's fd (a no-op for an empty slot). */
static int close_slot(const struct record *r, struct context *c) {
  int64_t slot = arg_i64(r, 0);
  if (slot < 0 || slot >= MAX_SLOTS) return errno = EINVAL, -1;
  if (c->slots[slot] >= 0) close(c->slots[slot]);
  c->slots[slot] = -1;
  return 0;
}

static int pivot(const char *root) {
  int oldroot = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (oldroot < 0 || chdir(root) < 0) return -1;
  if (syscall(SYS_pivot_root, ".", ".") < 0) return -1;
  if (fchdir(oldroot) < 0) return -1;
  /* Slave first so that detaching the old root cannot propagate back to the host. */
  if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0) return -1;
  if (umount2(".", MNT_DETACH) < 0) return -1;
  close(oldroot);
  return chdir("/");
}

static int move_root(const char *root) {
  if (chdir(root) < 0 || mount(root, "/", NULL, MS_MOVE, NULL) < 0) return -1;
  if (chroot(".") < 0) return -1;
  return chdir("/");
}

static int do_setgroups(const struct record *r) {
  gid_t gids[r->argc ? r->argc : 1];
  for (unsigned i = 0; i < r->argc; i++) gids[i] = (gid_t)arg_i64(r, i);
  return setgroups(r->argc, gids);
}

static int set_env(const struct record *r, struct context *c) {
  c->env = calloc(r->argc + 1, sizeof *c->env);
  for (unsigned i = 0; i < r->argc; i++) c->env[i] = (char *)arg_str(r, i);
  return 0;
}

static const char *env_path(char **env) {
  for (char **e = env; e && *e; e++)
    if (strncmp(*e, "PATH=", 5) == 0) return *e + 5;
  return DEFAULT_PATH;
}

/* execve, searching PATH of the container's environment (not ours) when argv[0] has no slash. */
static int do_exec(const struct record *r, struct context *c) {
  char **argv = calloc(r->argc + 1, sizeof *argv);
  for (unsigned i = 0; i < r->argc; i++) argv[i] = (char *)arg_str(r, i);
  char **env = c->env ? c->env : (char *[]){NULL};
  if (r->argc == 0) return errno = EINVAL, -1;
  if (strchr(argv[0], '/')) return execve(argv[0], argv, env);
  int err = ENOENT;
  char candidate[4096];
  for (const char *p = env_path(env); *p;) {
    size_t n = strcspn(p, ":");
    snprintf(candidate, sizeof candidate, "%.*s/%s", (int)n, p, argv[0]);
    execve(candidate, argv, env);
    if (errno != ENOENT && errno != ENOTDIR) err = errno;
    p += n + (p[n] == ':');
  }
  return errno = err, -1;
}

/* set_mempolicy(2): mode | flags, then the node mask as 64-bit words (no glibc wrapper). */
static int set_mempolicy_(const struct record *r) {
  unsigned long mask[r->argc > 1 ? r->argc - 1 : 1];
  for (unsigned i = 1; i < r->argc; i++) mask[i - 1] = (unsigned long)arg_i64(r, i);
  unsigned long maxnode = (r->argc - 1) * 64;
  return (int)syscall(SYS_set_mempolicy, (int)arg_i64(r, 0), r->argc > 1 ? mask : NULL, maxnode ? maxnode + 1 : 0);
}

/* What a MOUNT_IN step (root slot, target, source, fstype, flags, data) does, for its message. */
static void mount_in_what(const struct record *r, char *what, size_t n) {
  unsigned long flags = (unsigned long)arg_i64(r, 4);
  const char *target = arg_str(r, 1), *source = arg_str(r, 2), *fstype = arg_str(r, 3);
  if (flags & MS_REMOUNT) snprintf(what, n, "remount %s", target);
  else if (!*source && !*fstype) snprintf(what, n, "change the propagation of %s", target);
  else snprintf(what, n, "mount %s on %s", *fstype ? fstype : source, target);
}

/* The first string argument, for messages; by its kind, never its length (a 7-byte string is 8 bytes with its NUL). */
static const char *first_string(const struct record *r) {
  for (unsigned i = 0; i < r->argc; i++)
    if (r->args[i].kind == 's') return arg_str(r, i);
  return "";
}

int run_step(const struct record *r, struct context *c, char *what, size_t n) {
  const char *s0 = first_string(r);
  snprintf(what, n, "%s %s", op_name(r->type), s0);
  switch (r->type) {
  case OP_WRITE_FILE: return write_file(s0, arg_str(r, 1));
  case OP_LISTEN: return do_listen(s0, c);
  case OP_SETNS: return do_setns(s0, (int)arg_i64(r, 1));
  case OP_UNSHARE_USER: snprintf(what, n, "unshare user namespace"); return unshare_user(r, c);
  case OP_UNSHARE: snprintf(what, n, "unshare"); return unshare((int)arg_i64(r, 0));
  case OP_MOUNT:
    snprintf(what, n, "mount %s on %s", arg_str(r, 2)[0] ? arg_str(r, 2) : arg_str(r, 0), arg_str(r, 1));
    return mount(opt(r, 0), arg_str(r, 1), opt(r, 2), (unsigned long)arg_i64(r, 3), opt(r, 4));
  case OP_OPEN_ROOT: snprintf(what, n, "open %s", s0); return open_root(r, c);
  case OP_JOIN_SESSION_KEYRING: snprintf(what, n, "join session keyring %s", s0); return join_session_keyring(s0);
  case OP_CLOSE_SLOT: snprintf(what, n, "close slot"); return close_slot(r, c);
  case OP_MKDIR_IN: snprintf(what, n, "mkdir %s", s0); return make_in(r, c, MAKE_DIR, what, n);
  case OP_MKFILE_IN: snprintf(what, n, "create %s", s0); return make_in(r, c, MAKE_FILE, what, n);
  case OP_MOUNT_IN: mount_in_what(r, what, n); return mount_in(r, c, what, n);
  case OP_MOUNT_SETATTR: snprintf(what, n, "mount_setattr %s", s0); return mount_setattr_in(r, c, what, n);
  case OP_SYMLINK: snprintf(what, n, "symlink %s", arg_str(r, 1)); return symlink_at(r);
  case OP_PIVOT_ROOT: return pivot(s0);
  case OP_CHROOT: return move_root(s0);
  case OP_SETHOSTNAME: return sethostname(s0, strlen(s0));
  case OP_SETDOMAINNAME: return setdomainname(s0, strlen(s0));
  case OP_CHDIR: return chdir(s0);
  case OP_SETGROUPS: snprintf(what, n, "setgroups"); return do_setgroups(r);
  case OP_SETRESGID: snprintf(what, n, "setgid %lld", (long long)arg_i64(r, 0)); return setresgid((gid_t)arg_i64(r, 0), (gid_t)arg_i64(r, 0), (gid_t)arg_i64(r, 0));
  case OP_SETRESUID: snprintf(what, n, "setuid %lld", (long long)arg_i64(r, 0)); return setresuid((uid_t)arg_i64(r, 0), (uid_t)arg_i64(r, 0), (uid_t)arg_i64(r, 0));
  case OP_UMASK: umask((mode_t)arg_i64(r, 0)); return 0;
  case OP_ENV: return set_env(r, c);
  case OP_EXEC: return do_exec(r, c);
  case OP_MKNOD_AT: snprintf(what, n, "mknod %s", s0); return mknod_at(r);
  case OP_ATTACH_TREE: snprintf(what, n, "bind onto %s", s0); return attach_tree(r, c);
  case OP_OPEN_TREE: snprintf(what, n, "open_tree %s", s0); return open_tree_slot(r, c);
  case OP_MASK_PATH: snprintf(what, n, "mask %s", s0); return mask_path(r);
  case OP_READONLY_PATH: snprintf(what, n, "make %s read-only", s0); return readonly_path(r);
  case OP_WRITE_AT: snprintf(what, n, "write %s", s0); return write_at(r);
  case OP_PERSONALITY: snprintf(what, n, "personality"); return personality((unsigned long)arg_i64(r, 0)) < 0 ? -1 : 0;
  case OP_SET_MEMPOLICY: snprintf(what, n, "set_mempolicy"); return set_mempolicy_(r);
  case OP_USERNS_FD: snprintf(what, n, "user namespace for an id-mapped mount"); return userns_fd(r, c);
  case OP_IDMAP_MOUNT: snprintf(what, n, "id-mapped bind of %s on %s", arg_str(r, 2), s0); return idmap_mount(r, c, what, n);
  case OP_TMPFS_COPYUP: snprintf(what, n, "tmpfs with tmpcopyup on %s", s0); return tmpfs_copyup(r, c, what, n);
  case OP_LISTENER_CONNECT: snprintf(what, n, "connect %s", s0); return listener_connect(r, c);
  case OP_NETDEV_MOVE: snprintf(what, n, "move network device %s", s0); return netdev_move(r, c);
  case OP_RLIMIT: snprintf(what, n, "setrlimit"); return set_rlimit(r);
  case OP_SCHED_SETATTR: snprintf(what, n, "sched_setattr"); return set_scheduler(r);
  case OP_IOPRIO_SET: snprintf(what, n, "ioprio_set"); return set_ioprio(r);
  case OP_NO_NEW_PRIVS: snprintf(what, n, "prctl(PR_SET_NO_NEW_PRIVS)"); return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  case OP_SECCOMP_LOAD: snprintf(what, n, "load the seccomp filter"); return seccomp_load(r, c);
  case OP_CAP_BOUNDING: snprintf(what, n, "drop bounding capabilities"); return cap_bounding(r);
  case OP_KEEPCAPS: snprintf(what, n, "prctl(PR_SET_KEEPCAPS)"); return prctl(PR_SET_KEEPCAPS, (unsigned long)arg_i64(r, 0), 0, 0, 0);
  case OP_CAPSET: snprintf(what, n, "capset"); return cap_set(r);
  case OP_CONSOLE_CONNECT: snprintf(what, n, "connect the console socket %s", s0); return console_connect(r, c);
  case OP_CONSOLE_PAIR: snprintf(what, n, "socketpair for the terminal"); return console_pair(r, c);
  case OP_PTY_OPEN: snprintf(what, n, "open the terminal on /dev/ptmx"); return pty_open(r, c);
  case OP_HOOK: return run_hook(r, c, what, n);
  case OP_HOOK_SYNC: snprintf(what, n, "wait for the runtime-namespace hooks"); return hook_sync(c);
  case OP_CAP_AMBIENT: snprintf(what, n, "raise ambient capabilities"); return cap_ambient(r);
  }
  return errno = EPROTO, -1;
}
