/* Steps that reach from one namespace into another: a user namespace held open for an id-mapped
 * mount (stage 0), the seccomp agent's socket opened before pivot_root (stage 2), a network
 * device moved into the init's network namespace (stage 4). */
#define _GNU_SOURCE
#include "hostns.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static int slot_of(const struct record *r, unsigned i) {
  int slot = (int)arg_i64(r, i);
  return slot >= 0 && slot < MAX_SLOTS ? slot : (errno = EINVAL, -1);
}

/* A child unshares a user namespace and waits; we write its maps, open the namespace, end the child. */
int userns_fd(const struct record *r, struct context *c) {
  int slot = slot_of(r, 0), pipefd[2];
  if (slot < 0 || pipe2(pipefd, O_CLOEXEC) < 0) return -1;
  pid_t child = fork();
  if (child < 0) return -1;
  if (child == 0) {
    char ok = unshare(CLONE_NEWUSER) == 0;
    if (write(pipefd[1], &ok, 1) != 1) _exit(1);
    pause();
    _exit(0);
  }
  close(pipefd[1]);
  char ok = 0, path[64];
  int fd = -1;
  if (read(pipefd[0], &ok, 1) == 1 && ok) {
    const char *files[] = {"uid_map", "gid_map"};
    int written = 1;
    for (int i = 0; i < 2 && written; i++) {
      snprintf(path, sizeof path, "/proc/%d/%s", child, files[i]);
      written = write_file(path, arg_str(r, 1 + i)) == 0;
    }
    snprintf(path, sizeof path, "/proc/%d/ns/user", child);
    if (written) fd = open(path, O_RDONLY | O_CLOEXEC); /* forks inherit it; the user process does not */
  }
  int saved = ok ? errno : EPERM;
  close(pipefd[0]);
  kill(child, SIGKILL);
  waitpid(child, NULL, 0);
  if (fd < 0) return errno = saved, -1;
  c->slots[slot] = fd;
  return 0;
}

/* Connected before pivot_root, while the host path is still reachable; used by SECCOMP_LOAD. */
int listener_connect(const struct record *r, struct context *c) {
  int slot = slot_of(r, 0);
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  const char *path = arg_str(r, 1);
  if (slot < 0) return -1;
  if (strlen(path) >= sizeof addr.sun_path) return errno = ENAMETOOLONG, -1;
  strcpy(addr.sun_path, path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
    int saved = errno;
    close(fd);
    return errno = saved, -1;
  }
  c->slots[slot] = fd;
  return 0;
}

static void add_attr(struct nlmsghdr *h, unsigned short type, const void *data, size_t len) {
  struct rtattr *a = (struct rtattr *)((char *)h + NLMSG_ALIGN(h->nlmsg_len));
  a->rta_type = type;
  a->rta_len = (unsigned short)RTA_LENGTH(len);
  memcpy(RTA_DATA(a), data, len);
  h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(a->rta_len);
}

/* RTM_NEWLINK on the host interface with IFLA_NET_NS_PID and its new IFLA_IFNAME, then the ack. */
int netdev_move(const struct record *r, struct context *c) {
  unsigned index = if_nametoindex(arg_str(r, 0));
  if (index == 0) return -1;
  struct {
    struct nlmsghdr h;
    struct ifinfomsg i;
    char attrs[256];
  } req = {.h = {.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)), .nlmsg_type = RTM_NEWLINK, .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK, .nlmsg_seq = 1},
           .i = {.ifi_family = AF_UNSPEC, .ifi_index = (int)index}};
  uint32_t pid = (uint32_t)c->init_pid;
  const char *name = arg_str(r, 1);
  add_attr(&req.h, IFLA_NET_NS_PID, &pid, sizeof pid);
  if (*name) add_attr(&req.h, IFLA_IFNAME, name, strlen(name) + 1);
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) return -1;
  int rc = -1;
  char reply[1024];
  if (send(fd, &req, req.h.nlmsg_len, 0) == (ssize_t)req.h.nlmsg_len) {
    ssize_t n = recv(fd, reply, sizeof reply, 0);
    struct nlmsghdr *h = (struct nlmsghdr *)reply;
    if (n >= (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)) && h->nlmsg_type == NLMSG_ERROR) {
      int err = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
      rc = err == 0 ? 0 : (errno = -err, -1);
    } else if (n >= 0) errno = EPROTO;
  }
  int saved = errno;
  close(fd);
  errno = saved;
  return rc;
}
