/* The step operations: each is a syscall or two, knowing nothing of OCI. */
#pragma once
#include <stddef.h>
#include <errno.h>
#include <sys/types.h>
#include <unistd.h>
#include "wire.h"

#define MAX_SLOTS 64

struct context {
  int listen_fd;      /* the start socket, made by LISTEN in stage 0 and inherited by the init */
  int sync_fd;        /* frames to the CLI */
  int inner_fd;       /* stage 1 <-> stage 0: id-map requests */
  char **env;         /* set by ENV, used by EXEC */
  int slots[MAX_SLOTS]; /* fds kept by one step for a later one (protocol.ts "Slots"); -1 = empty */
  pid_t init_pid;     /* stage 4: the init's host pid */
  int relay_fd;       /* CONSOLE_PAIR: where the pty master arrives, for relay.c; -1 = none */
  int release_fd;     /* the init's end of the release socket during stage 2, for HOOK_SYNC; -1 = none */
  const struct message *plan;
};

/* Runs one step. On failure returns -1 with errno set and a short description in what. */
int run_step(const struct record *r, struct context *c, char *what, size_t n);

/* Writes data to an existing file (cgroup.procs, uid_map...). */
int write_file(const char *path, const char *data);

/* Writes data whole to fd, then closes it: 0, or -1 with errno set. */
int write_and_close(int fd, const char *data);

/* close(2) that keeps the errno of the failure being reported; a negative fd is skipped. */
static inline void close_keep_errno(int fd) {
  if (fd < 0) return;
  int saved = errno;
  close(fd);
  errno = saved;
}
