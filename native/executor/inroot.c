/* Steps on paths inside the container, which no symlink or ".." may lead out of.
 *
 * Before pivot_root (the mounts): each path is resolved in a root directory held in a slot
 * (OPEN_ROOT) with openat2(RESOLVE_IN_ROOT), so a symlink or ".." resolves as if that directory were
 * "/", and the mount is made through the resolved fd (mount(2) on /proc/self/fd/N, as runc does, or
 * move_mount onto the fd): the path is never joined to a host path and walked again.
 *
 * After pivot_root (devices, masked and read-only paths, sysctl): "/" is the rootfs and no path
 * resolves outside it; each path is opened once with openat2 and worked on through its fd, so a
 * symlink swapped in between two calls cannot redirect it (the CVE-2021-30465 shape). */
#define _GNU_SOURCE
#include "inroot.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static int open2(int dirfd, const char *path, int flags, mode_t mode) {
  struct open_how how = {.flags = (uint64_t)(flags | O_CLOEXEC), .mode = mode, .resolve = RESOLVE_NO_MAGICLINKS};
  return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

/* Appends ": detail" to a step's description. */
static void note(char *what, size_t n, const char *fmt, ...) {
  size_t len = strlen(what);
  if (len + 2 >= n) return;
  snprintf(what + len, n - len, ": ");
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what + len + 2, n - len - 2, fmt, ap);
  va_end(ap);
}

/* openat2 in root: symlinks and ".." resolve as if root were "/", magic links (/proc/self/fd/N
 * inside a proc mount) not at all. EAGAIN means a rename raced the walk: try again. */
static int in_root(int root, const char *path, int flags) {
  struct open_how how = {.flags = (uint64_t)(flags | O_CLOEXEC), .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
  for (int tries = 0; tries < 32; tries++) {
    int fd = (int)syscall(SYS_openat2, root, path, &how, sizeof how);
    if (fd >= 0 || errno != EAGAIN) return fd;
  }
  return -1;
}

int root_slot(const struct record *r, unsigned i, struct context *c) {
  int slot = (int)arg_i64(r, i);
  if (slot < 0 || slot >= MAX_SLOTS || c->slots[slot] < 0) return errno = EBADF, -1;
  return c->slots[slot];
}

int open_root(const struct record *r, struct context *c) {
  int slot = (int)arg_i64(r, 0);
  if (slot < 0 || slot >= MAX_SLOTS) return errno = EINVAL, -1;
  int fd = open(arg_str(r, 1), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return -1;
  c->slots[slot] = fd;
  return 0;
}

static int is_dir(int fd) {
  struct stat st;
  return fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
}

/* An empty file at parent/name; something already there (a symlink too: O_EXCL) is EEXIST. */
static int make_file(int parent, const char *name) {
  int fd = openat(parent, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
  return fd < 0 ? -1 : close(fd);
}

/* Makes what is missing of path, one component at a time: each is made in the fd its parent
 * resolved to, then resolved again from root, so what a symlink points at is made inside root. */
static int make_path(int root, const char *path, int make, mode_t mode, char *what, size_t n) {
  char buf[4096], prefix[4096];
  if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) return errno = ENAMETOOLONG, -1;
  size_t len = 0;
  int parent = fcntl(root, F_DUPFD_CLOEXEC, 0);
  char *save = NULL;
  for (char *name = strtok_r(buf, "/", &save); name && parent >= 0;) {
    char *next = strtok_r(NULL, "/", &save);
    len += (size_t)snprintf(prefix + len, sizeof prefix - len, "/%s", name);
    int fd = in_root(root, prefix, O_PATH);
    if (fd < 0 && errno == ENOENT) {
      int rc = !next && make == MAKE_FILE ? make_file(parent, name) : mkdirat(parent, name, next ? 0755 : mode);
      if (rc < 0 && errno != EEXIST) note(what, n, "%s", prefix);
      else if ((fd = in_root(root, prefix, O_PATH)) < 0 && errno == ENOENT) note(what, n, "%s is a symlink to nothing inside the root", prefix);
    } else if (fd < 0) {
      note(what, n, "%s", prefix);
    }
    if (fd >= 0 && next && !is_dir(fd)) {
      close(fd);
      fd = -1;
      errno = ENOTDIR;
      note(what, n, "%s", prefix);
    }
    close_keep_errno(parent);
    parent = fd;
    name = next;
  }
  return parent;
}

int resolve_in(int root, const char *path, int make, mode_t mode, char *what, size_t n) {
  int fd = in_root(root, path, O_PATH);
  if (fd < 0 && errno == ENOENT && make != MAKE_NONE) fd = make_path(root, path, make, mode, what, n);
  if (fd < 0) return -1;
  /* The root itself (a destination "/", or a symlink to "/" or "../.."): a mount there would hide
   * the whole root before pivot_root enters it. */
  struct statx at, top;
  unsigned mask = STATX_INO | STATX_MNT_ID;
  if (statx(fd, "", AT_EMPTY_PATH, mask, &at) < 0 || statx(root, "", AT_EMPTY_PATH, mask, &top) < 0) return close_keep_errno(fd), -1;
  int err = 0;
  if (at.stx_ino == top.stx_ino && at.stx_dev_major == top.stx_dev_major && at.stx_dev_minor == top.stx_dev_minor && at.stx_mnt_id == top.stx_mnt_id) {
    err = EBUSY;
    note(what, n, "%s resolves to the root itself", path);
  } else if (make == MAKE_DIR && !S_ISDIR(at.stx_mode)) {
    err = ENOTDIR;
  } else if (make == MAKE_FILE && S_ISDIR(at.stx_mode)) {
    err = EISDIR;
  }
  if (err) return close(fd), errno = err, -1;
  return fd;
}

int make_in(const struct record *r, struct context *c, int make, char *what, size_t n) {
  int root = root_slot(r, 0, c);
  int fd = root < 0 ? -1 : resolve_in(root, arg_str(r, 1), make, make == MAKE_DIR ? (mode_t)arg_i64(r, 2) : 0, what, n);
  return fd < 0 ? -1 : close(fd);
}

static const char *opt(const struct record *r, unsigned i) {
  const char *s = arg_str(r, i);
  return *s ? s : NULL;
}

int proc_fd_path(int fd, char *buf, size_t n) {
  return snprintf(buf, n, "/proc/self/fd/%d", fd) < (int)n ? 0 : (errno = ENAMETOOLONG, -1);
}

/* mount(2) onto the target's fd through /proc/self/fd/N, a path that cannot be redirected. The fd is
 * resolved afresh by each step, so a remount or a propagation change reaches the mount on top. */
int mount_in(const struct record *r, struct context *c, char *what, size_t n) {
  int root = root_slot(r, 0, c);
  int fd = root < 0 ? -1 : resolve_in(root, arg_str(r, 1), MAKE_NONE, 0, what, n);
  if (fd < 0) return -1;
  char target[64];
  int rc = proc_fd_path(fd, target, sizeof target);
  if (rc == 0) rc = mount(opt(r, 2), target, opt(r, 3), (unsigned long)arg_i64(r, 4), opt(r, 5));
  close_keep_errno(fd);
  return rc;
}

/* mount_setattr(2) on the target's fd itself (AT_EMPTY_PATH), resolved after the mount it changes. */
int mount_setattr_in(const struct record *r, struct context *c, char *what, size_t n) {
  struct mount_attr attr = {
      .attr_set = (uint64_t)arg_i64(r, 2),
      .attr_clr = (uint64_t)arg_i64(r, 3),
      .propagation = (uint64_t)arg_i64(r, 4),
  };
  int root = root_slot(r, 0, c);
  int fd = root < 0 ? -1 : resolve_in(root, arg_str(r, 1), MAKE_NONE, 0, what, n);
  if (fd < 0) return -1;
  int rc = (int)syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | (unsigned)arg_i64(r, 5), &attr, sizeof attr);
  close_keep_errno(fd);
  return rc;
}

/* The last component's parent, made 0755 when missing, opened O_PATH; *name points into path. */
static int open_parent(const char *path, char *buf, size_t n, const char **name) {
  if (snprintf(buf, n, "%s", path) >= (int)n) return errno = ENAMETOOLONG, -1;
  char *slash = strrchr(buf, '/');
  *name = slash ? path + (slash - buf) + 1 : path;
  if (!slash) return open2(AT_FDCWD, ".", O_PATH | O_DIRECTORY, 0);
  *slash = '\0';
  int fd = open2(AT_FDCWD, "/", O_PATH | O_DIRECTORY, 0);
  for (char *p = buf, *next; fd >= 0 && p && *p != '\0' + 0; p = next) {
    while (*p == '/') p++;
    if (!*p) break;
    next = strchr(p, '/');
    if (next) *next++ = '\0';
    if (mkdirat(fd, p, 0755) < 0 && errno != EEXIST) return close(fd), -1;
    int child = open2(fd, p, O_PATH | O_DIRECTORY | O_NOFOLLOW, 0);
    close(fd);
    fd = child;
  }
  return fd;
}

/* Is what is at dir/name already the node asked for? 1 yes, 0 nothing there, -1 (EEXIST) something else. */
static int existing_node(int dir, const char *name, mode_t mode, dev_t dev) {
  struct stat st;
  if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0) return 0;
  if ((st.st_mode & S_IFMT) == (mode & S_IFMT) && (S_ISFIFO(mode) || st.st_rdev == dev)) return 1;
  return errno = EEXIST, -1;
}

/* mknodat relative to the parent's fd, then owner and mode; config-linux.md "Devices": a different
 * file already at the path is an error, unless the step replaces (the default devices do). */
int mknod_at(const struct record *r) {
  char buf[4096];
  const char *name;
  int dir = open_parent(arg_str(r, 0), buf, sizeof buf, &name);
  if (dir < 0) return -1;
  mode_t mode = (mode_t)arg_i64(r, 1);
  dev_t dev = makedev((unsigned)arg_i64(r, 2), (unsigned)arg_i64(r, 3));
  if (arg_i64(r, 6)) unlinkat(dir, name, 0);
  int rc = existing_node(dir, name, mode, dev);
  rc = rc < 0 ? -1 : rc == 1 ? 0 : mknodat(dir, name, mode, dev);
  if (rc == 0) rc = fchownat(dir, name, (uid_t)arg_i64(r, 4), (gid_t)arg_i64(r, 5), AT_SYMLINK_NOFOLLOW);
  if (rc == 0) rc = fchmodat(dir, name, mode & 07777, 0); /* umask must not narrow fileMode */
  close_keep_errno(dir);
  return rc;
}

/* symlinkat in the link's parent, found as mknod_at finds it (a symlink among the parents is not
 * followed); a link already there is kept. */
int symlink_at(const struct record *r) {
  char buf[4096];
  const char *name;
  int dir = open_parent(arg_str(r, 1), buf, sizeof buf, &name);
  if (dir < 0) return -1;
  int rc = symlinkat(arg_str(r, 0), dir, name) < 0 && errno != EEXIST ? -1 : 0;
  close_keep_errno(dir);
  return rc;
}

/* Before pivot_root: a detached copy of a host mount point (a device node to bind, for instance). */
int open_tree_slot(const struct record *r, struct context *c) {
  int slot = (int)arg_i64(r, 0);
  if (slot < 0 || slot >= MAX_SLOTS) return errno = EINVAL, -1;
  int fd = (int)syscall(SYS_open_tree, AT_FDCWD, arg_str(r, 1), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  if (fd < 0) return -1;
  c->slots[slot] = fd;
  return 0;
}

static int move_onto(int tree, int target) {
  return (int)syscall(SYS_move_mount, tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
}

/* Attaches a detached mount (an OPEN_TREE fd) at a path, making an empty file there first if nothing
 * is; a symlink there is refused, not mounted over. The tree fd stays the caller's. */
int attach_at(const char *path, int tree) {
  char buf[4096];
  const char *name;
  int dir = open_parent(path, buf, sizeof buf, &name);
  if (dir < 0) return -1;
  int made = open2(dir, name, O_CREAT | O_WRONLY | O_NOFOLLOW, 0644);
  if (made >= 0) close(made);
  int target = open2(dir, name, O_PATH | O_NOFOLLOW, 0);
  struct stat st;
  if (target >= 0 && (fstat(target, &st) < 0 || S_ISLNK(st.st_mode))) {
    close_keep_errno(target);
    target = -1;
    if (S_ISLNK(st.st_mode)) errno = ELOOP;
  }
  int rc = target < 0 ? -1 : move_onto(tree, target);
  close_keep_errno(dir);
  close_keep_errno(target);
  return rc;
}

/* ATTACH_TREE: a slot's detached mount attached at a path; the slot is emptied. */
int attach_tree(const struct record *r, struct context *c) {
  int slot = (int)arg_i64(r, 1);
  if (slot < 0 || slot >= MAX_SLOTS || c->slots[slot] < 0) return errno = EBADF, -1;
  int rc = attach_at(arg_str(r, 0), c->slots[slot]);
  close_keep_errno(c->slots[slot]);
  c->slots[slot] = -1;
  return rc;
}

/* O_PATH of an existing path, refusing a symlink as the last component (CVE-2025-31133 class). */
static int open_existing(const char *path, struct stat *st) {
  int fd = open2(AT_FDCWD, path, O_PATH | O_NOFOLLOW, 0);
  if (fd < 0) return -1;
  if (fstat(fd, st) < 0 || S_ISLNK(st->st_mode)) {
    close(fd);
    return errno = S_ISLNK(st->st_mode) ? ELOOP : errno, -1;
  }
  return fd;
}

/* A detached tmpfs, read-only, for masking a directory. */
static int ro_tmpfs(void) {
  int fs = (int)syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);
  if (fs < 0) return -1;
  int m = -1;
  /* read-only in the superblock too, as runc's mount(MS_RDONLY) makes it, not only at the mount */
  if (syscall(SYS_fsconfig, fs, FSCONFIG_SET_FLAG, "ro", NULL, 0) == 0 && syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
    m = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY); /* what runc mounts */
  close_keep_errno(fs);
  return m;
}

/* A detached bind of the container's /dev/null, checked to be the real node (not a symlink or file). */
static int dev_null_tree(void) {
  struct stat st;
  int fd = open_existing("/dev/null", &st);
  if (fd < 0) return -1;
  int tree = -1;
  if (S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 3)
    tree = (int)syscall(SYS_open_tree, fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
  else errno = EPERM;
  close_keep_errno(fd);
  return tree;
}

/* config-linux.md "Masked Paths": missing paths are skipped; a directory gets an empty read-only
 * tmpfs, anything else /dev/null bound over it. */
int mask_path(const struct record *r) {
  struct stat st;
  int target = open_existing(arg_str(r, 0), &st);
  if (target < 0) return errno == ENOENT ? 0 : -1;
  int tree = S_ISDIR(st.st_mode) ? ro_tmpfs() : dev_null_tree();
  int rc = tree < 0 ? -1 : move_onto(tree, target);
  close_keep_errno(target);
  close_keep_errno(tree);
  return rc;
}

/* config-linux.md "Readonly Paths": bound onto itself and made read-only, recursively. */
int readonly_path(const struct record *r) {
  struct stat st;
  int target = open_existing(arg_str(r, 0), &st);
  if (target < 0) return errno == ENOENT ? 0 : -1;
  int tree = (int)syscall(SYS_open_tree, target, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
  struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY}; /* the other flags as they were, as runc keeps them */
  int rc = tree < 0 ? -1 : (int)syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr);
  if (rc == 0) rc = move_onto(tree, target);
  close_keep_errno(target);
  close_keep_errno(tree);
  return rc;
}

/* A file that exists (a /proc/sys entry, for one), written through an fd opened without following
 * a symlink in its last component. */
int write_at(const struct record *r) {
  int fd = open2(AT_FDCWD, arg_str(r, 0), O_WRONLY | O_NOFOLLOW, 0);
  return fd < 0 ? -1 : write_and_close(fd, arg_str(r, 1));
}
