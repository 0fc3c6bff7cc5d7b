/* Steps that reach from one namespace into another: a user namespace held open for an id-mapped
 * mount (stage 0), the seccomp agent's socket opened before pivot_root (stage 2), a network
 * device moved into the init's network namespace (stage 4). */
#define _GNU_SOURCE
#include "hostns.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
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
  pid_t parent = getpid();
  pid_t child = fork();
  if (child < 0) return -1;
  if (child == 0) {
    /* Dies with stage 0 if create is killed before it ends this child. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent) _exit(1);
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
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) return close_keep_errno(fd), -1;
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

/* Sends one request and reads its ack: 0, or -1 with the kernel's errno. */
static int nl_request(int fd, struct nlmsghdr *h) {
  char reply[4096];
  if (send(fd, h, h->nlmsg_len, 0) != (ssize_t)h->nlmsg_len) return -1;
  ssize_t n = recv(fd, reply, sizeof reply, 0);
  struct nlmsghdr *r = (struct nlmsghdr *)reply;
  if (n < (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)) || r->nlmsg_type != NLMSG_ERROR) return errno = n < 0 ? errno : EPROTO, -1;
  int err = ((struct nlmsgerr *)NLMSG_DATA(r))->error;
  return err == 0 ? 0 : (errno = -err, -1);
}

#define MAX_ADDRS 32
struct saved_addrs {
  int count;
  char msg[MAX_ADDRS][512]; /* each an RTM_NEWADDR payload: ifaddrmsg + attributes */
  unsigned len[MAX_ADDRS];
};

static int addr_flags(struct ifaddrmsg *a, unsigned len) {
  int flags = a->ifa_flags;
  for (struct rtattr *rta = IFA_RTA(a); RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
    if (rta->rta_type == IFA_FLAGS) flags = (int)*(uint32_t *)RTA_DATA(rta);
  return flags;
}

/* config-linux.md "Network Devices": the permanent, global-scope addresses, which a move drops. */
static int save_addrs(int fd, unsigned index, struct saved_addrs *out) {
  struct {
    struct nlmsghdr h;
    struct ifaddrmsg a;
  } req = {.h = {.nlmsg_len = sizeof req, .nlmsg_type = RTM_GETADDR, .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 2}};
  if (send(fd, &req, sizeof req, 0) != sizeof req) return -1;
  char buf[16384];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0) return -1;
    for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (unsigned)n); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_type == NLMSG_DONE) return 0;
      if (h->nlmsg_type == NLMSG_ERROR) return errno = EPROTO, -1;
      struct ifaddrmsg *a = NLMSG_DATA(h);
      unsigned len = (unsigned)(h->nlmsg_len - NLMSG_LENGTH(sizeof *a));
      if (a->ifa_index != index || a->ifa_scope != RT_SCOPE_UNIVERSE || !(addr_flags(a, len) & IFA_F_PERMANENT)) continue;
      if (out->count == MAX_ADDRS || NLMSG_PAYLOAD(h, 0) > sizeof out->msg[0]) return errno = E2BIG, -1;
      char *dst = out->msg[out->count];
      unsigned used = NLMSG_ALIGN(sizeof *a);
      memcpy(dst, a, sizeof *a);
      /* IFA_LABEL names the host interface: the address gets the device's own name in the container. */
      for (struct rtattr *rta = IFA_RTA(a); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
        if (rta->rta_type == IFA_LABEL) continue;
        memcpy(dst + used, rta, rta->rta_len);
        used += RTA_ALIGN(rta->rta_len);
      }
      out->len[out->count++] = used;
    }
  }
}

/* In the container's network namespace: the saved addresses on the moved device, then up. */
static int restore(unsigned index, const struct saved_addrs *saved) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) return -1;
  int rc = 0;
  for (int i = 0; rc == 0 && i < saved->count; i++) {
    struct {
      struct nlmsghdr h;
      char payload[512];
    } req = {.h = {.nlmsg_len = NLMSG_LENGTH(saved->len[i]), .nlmsg_type = RTM_NEWADDR, .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, .nlmsg_seq = 3}};
    memcpy(req.payload, saved->msg[i], saved->len[i]);
    ((struct ifaddrmsg *)req.payload)->ifa_index = index;
    rc = nl_request(fd, &req.h);
  }
  struct {
    struct nlmsghdr h;
    struct ifinfomsg i;
  } up = {.h = {.nlmsg_len = sizeof up, .nlmsg_type = RTM_NEWLINK, .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK, .nlmsg_seq = 4},
          .i = {.ifi_family = AF_UNSPEC, .ifi_index = (int)index, .ifi_flags = IFF_UP, .ifi_change = IFF_UP}};
  if (rc == 0) rc = nl_request(fd, &up.h);
  close_keep_errno(fd);
  return rc;
}

struct restore_args {
  const char *name;
  unsigned old_index;
  const struct saved_addrs *saved;
};

static int do_restore(void *p) {
  const struct restore_args *a = p;
  /* A "%d" template is named by the kernel; the index is kept unless taken in the target. */
  unsigned index = strstr(a->name, "%d") ? a->old_index : if_nametoindex(a->name);
  return index ? restore(index, a->saved) : -1;
}

/* config-linux.md "Network Devices": a name taken in the container is an error, found before the move. */
static int name_free(void *p) {
  const char *name = p;
  return strstr(name, "%d") || if_nametoindex(name) == 0 ? 0 : (errno = EEXIST, -1);
}

/* Runs fn inside the init's network namespace, and comes back. */
static int in_netns(pid_t pid, int (*fn)(void *), void *arg) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/ns/net", pid);
  int host = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC), target = open(path, O_RDONLY | O_CLOEXEC);
  int rc = host < 0 || target < 0 ? -1 : setns(target, CLONE_NEWNET);
  if (rc == 0) {
    rc = fn(arg);
    int saved_errno = errno;
    if (setns(host, CLONE_NEWNET) < 0) _exit(1); /* stage 0 must not stay in the container's namespace */
    errno = saved_errno;
  }
  close_keep_errno(host);
  close_keep_errno(target);
  return rc;
}

/* RTM_NEWLINK on the host interface with IFLA_NET_NS_PID and its new IFLA_IFNAME; then its
 * permanent addresses are put back and it is set up (config-linux.md "Network Devices"). */
int netdev_move(const struct record *r, struct context *c) {
  unsigned index = if_nametoindex(arg_str(r, 0));
  if (index == 0) return -1;
  static struct saved_addrs saved;
  saved.count = 0;
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) return -1;
  struct {
    struct nlmsghdr h;
    struct ifinfomsg i;
    char attrs[256];
  } req = {.h = {.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)), .nlmsg_type = RTM_NEWLINK, .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK, .nlmsg_seq = 1},
           .i = {.ifi_family = AF_UNSPEC, .ifi_index = (int)index}};
  uint32_t pid = (uint32_t)c->init_pid;
  const char *name = arg_str(r, 1);
  add_attr(&req.h, IFLA_NET_NS_PID, &pid, sizeof pid);
  add_attr(&req.h, IFLA_IFNAME, name, strlen(name) + 1);
  int rc = in_netns(c->init_pid, name_free, (void *)name);
  if (rc == 0) rc = save_addrs(fd, index, &saved);
  if (rc == 0) rc = nl_request(fd, &req.h);
  close_keep_errno(fd);
  struct restore_args args = {name, index, &saved};
  return rc < 0 ? -1 : in_netns(c->init_pid, do_restore, &args);
}
