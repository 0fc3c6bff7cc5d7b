/* Mount steps beyond mount(2) (stage 2, before pivot_root): an id-mapped bind (mount_setattr
 * MOUNT_ATTR_IDMAP on a detached tree) and a tmpfs that copies up what it covers (tmpcopyup). Both
 * find their target inside the root slot (inroot.c), never by a host path. */
#define _GNU_SOURCE
#include "mounts.h"

#include "inroot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* root slot, target, source, userns slot, recursive */
int idmap_mount(const struct record *r, struct context *c, char *what, size_t n) {
  int root = root_slot(r, 0, c);
  int slot = (int)arg_i64(r, 3);
  if (root < 0) return -1;
  if (slot < 0 || slot >= MAX_SLOTS || c->slots[slot] < 0) return errno = EBADF, -1;
  unsigned rec = arg_i64(r, 4) ? AT_RECURSIVE : 0;
  int tree = (int)syscall(SYS_open_tree, AT_FDCWD, arg_str(r, 2), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | rec);
  if (tree < 0) return -1;
  struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)c->slots[slot]};
  int rc = (int)syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | rec, &attr, sizeof attr);
  int target = rc == 0 ? resolve_in(root, arg_str(r, 1), MAKE_NONE, 0, what, n) : -1;
  if (target < 0) rc = -1;
  else rc = (int)syscall(SYS_move_mount, tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
  close_keep_errno(target);
  close_keep_errno(tree);
  return rc;
}

static int copy_tree(int from, int to);

static int copy_file(int from, int to, const char *name, const struct stat *st) {
  int in = openat(from, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (in < 0) return -1;
  int out = openat(to, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, st->st_mode & 07777);
  char buf[65536];
  ssize_t n = 0;
  while (out >= 0 && (n = read(in, buf, sizeof buf)) > 0)
    if (write(out, buf, (size_t)n) != n) n = -1;
  int rc = out < 0 || n < 0 ? -1 : 0;
  close_keep_errno(in);
  close_keep_errno(out);
  return rc;
}

static int copy_entry(int from, int to, const char *name) {
  struct stat st;
  if (fstatat(from, name, &st, AT_SYMLINK_NOFOLLOW) < 0) return -1;
  int rc;
  if (S_ISDIR(st.st_mode)) {
    rc = mkdirat(to, name, st.st_mode & 07777);
    int sub_from = rc == 0 ? openat(from, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
    int sub_to = sub_from >= 0 ? openat(to, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
    rc = sub_to < 0 ? -1 : copy_tree(sub_from, sub_to);
    if (sub_from >= 0) close(sub_from);
    if (sub_to >= 0) close(sub_to);
  } else if (S_ISLNK(st.st_mode)) {
    char target[4096];
    ssize_t n = readlinkat(from, name, target, sizeof target - 1);
    if (n < 0) return -1;
    target[n] = '\0';
    rc = symlinkat(target, to, name);
  } else if (S_ISREG(st.st_mode)) {
    rc = copy_file(from, to, name, &st);
  } else {
    rc = mknodat(to, name, st.st_mode, st.st_rdev);
  }
  if (rc == 0) rc = fchownat(to, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
  return rc;
}

/* Copies every entry of the directory `from` into `to` (both fds of directories). */
static int copy_tree(int from, int to) {
  int dup_fd = dup(from);
  DIR *d = dup_fd < 0 ? NULL : fdopendir(dup_fd);
  if (!d) return -1;
  int rc = 0;
  for (struct dirent *e; rc == 0 && (e = readdir(d));) {
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) rc = copy_entry(from, to, e->d_name);
  }
  int saved = errno;
  closedir(d); /* closes the dup */
  errno = saved;
  return rc;
}

/* A directory fd (not O_PATH: it is read) of path resolved in root. */
static int open_dir_in(int root, const char *path, char *what, size_t n) {
  int at = resolve_in(root, path, MAKE_NONE, 0, what, n);
  int fd = at < 0 ? -1 : openat(at, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  close_keep_errno(at);
  return fd;
}

/* root slot, target, source, flags, data. The directory is opened before the tmpfs covers it, so
 * its old contents stay reachable; then resolved again, which reaches the new tmpfs on top. */
int tmpfs_copyup(const struct record *r, struct context *c, char *what, size_t n) {
  int root = root_slot(r, 0, c);
  if (root < 0) return -1;
  const char *path = arg_str(r, 1), *data = arg_str(r, 4);
  unsigned long flags = (unsigned long)arg_i64(r, 3);
  char target[64];
  int old = open_dir_in(root, path, what, n), fresh = -1;
  int rc = old < 0 ? -1 : proc_fd_path(old, target, sizeof target);
  if (rc == 0) rc = mount(arg_str(r, 2), target, "tmpfs", flags & ~(unsigned long)MS_RDONLY, *data ? data : NULL);
  if (rc == 0) rc = (fresh = open_dir_in(root, path, what, n)) < 0 ? -1 : copy_tree(old, fresh);
  if (rc == 0 && (flags & MS_RDONLY)) rc = proc_fd_path(fresh, target, sizeof target);
  if (rc == 0 && (flags & MS_RDONLY)) rc = mount("", target, "", MS_REMOUNT | flags, *data ? data : NULL);
  close_keep_errno(old);
  close_keep_errno(fresh);
  return rc;
}
