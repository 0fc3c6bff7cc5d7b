/* Steps on paths inside the container (stage 2, after pivot_root, so "/" is the rootfs and no path
 * resolves outside it): each path is opened once with openat2 and worked on through its fd, so a
 * symlink swapped in between two calls cannot redirect it (the CVE-2021-30465 shape). */
#define _GNU_SOURCE
#include "inroot.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <linux/openat2.h>
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

/* Attaches a slot's detached mount at a path, making an empty file there first if nothing is. */
int attach_tree(const struct record *r, struct context *c) {
  int slot = (int)arg_i64(r, 1);
  if (slot < 0 || slot >= MAX_SLOTS || c->slots[slot] < 0) return errno = EBADF, -1;
  char buf[4096];
  const char *name;
  int dir = open_parent(arg_str(r, 0), buf, sizeof buf, &name);
  if (dir < 0) return -1;
  int made = open2(dir, name, O_CREAT | O_WRONLY | O_NOFOLLOW, 0644);
  if (made >= 0) close(made);
  int target = open2(dir, name, O_PATH | O_NOFOLLOW, 0);
  int rc = target < 0 ? -1 : move_onto(c->slots[slot], target);
  close_keep_errno(dir);
  close_keep_errno(target);
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
  if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
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
