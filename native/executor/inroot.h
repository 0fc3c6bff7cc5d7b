/* Steps on paths inside the container's rootfs: see inroot.c. Each returns 0, or -1 with errno. */
#pragma once
#include <sys/types.h>

#include "steps.h"

/* What resolve_in makes of a missing path: nothing, a directory, or an empty file (parents 0755). */
enum { MAKE_NONE, MAKE_DIR, MAKE_FILE };

/* Before pivot_root, in the root directory a slot holds (OPEN_ROOT). */
int open_root(const struct record *r, struct context *c);
/* The fd of the root slot named by argument i, or -1 (EBADF). */
int root_slot(const struct record *r, unsigned i, struct context *c);
/* An O_PATH fd of path resolved inside root (RESOLVE_IN_ROOT), made first as `make` says; the root
 * itself is EBUSY, a made path of the wrong type ENOTDIR or EISDIR. Appends the failing component
 * to what. */
int resolve_in(int root, const char *path, int make, mode_t mode, char *what, size_t n);
/* "/proc/self/fd/N" for fd, for mount(2) onto an fd. */
int proc_fd_path(int fd, char *buf, size_t n);
int make_in(const struct record *r, struct context *c, int make, char *what, size_t n);
int mount_in(const struct record *r, struct context *c, char *what, size_t n);
int mount_setattr_in(const struct record *r, struct context *c, char *what, size_t n);

/* After pivot_root, where "/" is the rootfs. */
int mknod_at(const struct record *r);
int symlink_at(const struct record *r);
int open_tree_slot(const struct record *r, struct context *c);
int attach_tree(const struct record *r, struct context *c);
/* A detached mount attached at path (an empty file made there if nothing is; a symlink refused). */
int attach_at(const char *path, int tree);
int mask_path(const struct record *r);
int readonly_path(const struct record *r);
int write_at(const struct record *r);
