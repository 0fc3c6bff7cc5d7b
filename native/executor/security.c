/* Process security steps (stage 3): rlimits, scheduler, I/O priority, no_new_privs, seccomp,
 * capabilities. Their order is the plan's (src/plan/process.ts); each function is one syscall or two. */
#define _GNU_SOURCE
#include "security.h"

#include <errno.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <linux/filter.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

int set_rlimit(const struct record *r) {
  struct rlimit rl = {(rlim_t)arg_i64(r, 1), (rlim_t)arg_i64(r, 2)};
  return setrlimit((int)arg_i64(r, 0), &rl);
}

/* struct sched_attr of sched_setattr(2); glibc has no wrapper. */
struct sched_attr_ {
  uint32_t size, sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime, sched_deadline, sched_period;
};

int set_scheduler(const struct record *r) {
  struct sched_attr_ a = {
      .size = sizeof a, .sched_policy = (uint32_t)arg_i64(r, 0), .sched_flags = (uint64_t)arg_i64(r, 1),
      .sched_nice = (int32_t)arg_i64(r, 2), .sched_priority = (uint32_t)arg_i64(r, 3),
      .sched_runtime = (uint64_t)arg_i64(r, 4), .sched_deadline = (uint64_t)arg_i64(r, 5), .sched_period = (uint64_t)arg_i64(r, 6),
  };
  return (int)syscall(SYS_sched_setattr, 0, &a, 0);
}

int set_ioprio(const struct record *r) {
  const int IOPRIO_WHO_PROCESS = 1, IOPRIO_CLASS_SHIFT = 13;
  int prio = (int)(arg_i64(r, 0) << IOPRIO_CLASS_SHIFT | arg_i64(r, 1));
  return (int)syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, prio);
}

static int last_cap(void) {
  FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
  int last = CAP_LAST_CAP;
  if (f) {
    if (fscanf(f, "%d", &last) != 1) last = CAP_LAST_CAP;
    fclose(f);
  }
  return last;
}

/* PR_CAPBSET_DROP every capability the kernel has and the mask does not keep. */
int cap_bounding(const struct record *r) {
  uint64_t keep = (uint64_t)arg_i64(r, 0);
  for (int cap = 0, last = last_cap(); cap <= last && cap < 64; cap++) {
    if (keep & (1ULL << cap)) continue;
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL) return -1;
  }
  return 0;
}

int cap_set(const struct record *r) {
  struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  struct __user_cap_data_struct d[2];
  for (int half = 0; half < 2; half++) {
    d[half].effective = (uint32_t)((uint64_t)arg_i64(r, 0) >> (32 * half));
    d[half].permitted = (uint32_t)((uint64_t)arg_i64(r, 1) >> (32 * half));
    d[half].inheritable = (uint32_t)((uint64_t)arg_i64(r, 2) >> (32 * half));
  }
  return (int)syscall(SYS_capset, &h, d);
}

int cap_ambient(const struct record *r) {
  uint64_t set = (uint64_t)arg_i64(r, 0);
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && !(errno == EINVAL && set == 0)) return -1;
  for (int cap = 0; cap < 64; cap++)
    if ((set & (1ULL << cap)) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0) return -1;
  return 0;
}

/* config-linux.md "The Container Process State": the JSON as payload, the fd by SCM_RIGHTS, one
 * sendmsg, then the connection is closed ("MUST NOT be reused"). */
static int send_listener(int sock, int fd, const char *json) {
  char control[CMSG_SPACE(sizeof(int))] = {0};
  struct iovec iov = {.iov_base = (void *)json, .iov_len = strlen(json)};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
  struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cm), &fd, sizeof fd);
  ssize_t n;
  do n = sendmsg(sock, &msg, MSG_NOSIGNAL); while (n < 0 && errno == EINTR);
  close_keep_errno(sock);
  close_keep_errno(fd);
  return n == (ssize_t)iov.iov_len ? 0 : -1;
}

int seccomp_load(const struct record *r, struct context *c) {
  const struct arg *prog = &r->args[0];
  if (prog->len == 0 || prog->len % sizeof(struct sock_filter)) return errno = EINVAL, -1;
  struct sock_fprog fprog = {.len = (unsigned short)(prog->len / sizeof(struct sock_filter)), .filter = (struct sock_filter *)prog->data};
  unsigned flags = (unsigned)arg_i64(r, 1);
  int slot = (int)arg_i64(r, 2);
  long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fprog);
  if (fd < 0) return -1;
  if (!(flags & SECCOMP_FILTER_FLAG_NEW_LISTENER)) return 0;
  if (slot < 0 || slot >= MAX_SLOTS || c->slots[slot] < 0) return close((int)fd), 0; /* no agent: the fd is not needed */
  int sock = c->slots[slot];
  c->slots[slot] = -1;
  return send_listener(sock, (int)fd, arg_str(r, 3));
}
