#define _GNU_SOURCE
#include "wire.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The TypeScript side computes clone flags from src/plan/protocol.ts: they must be the kernel's. */
_Static_assert(LX_CLONE_NEWNS == CLONE_NEWNS, "CLONE_NEWNS");
_Static_assert(LX_CLONE_NEWCGROUP == CLONE_NEWCGROUP, "CLONE_NEWCGROUP");
_Static_assert(LX_CLONE_NEWUTS == CLONE_NEWUTS, "CLONE_NEWUTS");
_Static_assert(LX_CLONE_NEWIPC == CLONE_NEWIPC, "CLONE_NEWIPC");
_Static_assert(LX_CLONE_NEWUSER == CLONE_NEWUSER, "CLONE_NEWUSER");
_Static_assert(LX_CLONE_NEWPID == CLONE_NEWPID, "CLONE_NEWPID");
_Static_assert(LX_CLONE_NEWNET == CLONE_NEWNET, "CLONE_NEWNET");
_Static_assert(LX_CLONE_NEWTIME == CLONE_NEWTIME, "CLONE_NEWTIME");

#define MAX_MESSAGE (64u << 20)

static uint32_t get_u32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_u32(unsigned char *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static int fail(char *err, size_t errlen, const char *what, size_t at) {
  snprintf(err, errlen, "malformed plan: %s at byte %zu", what, at);
  return -1;
}

/* Checks one record's arguments against the signature ("ss", "*i", ...) of its op. */
static int check_sig(const struct record *r, const char *sig) {
  unsigned i = 0;
  for (const char *s = sig; *s; s++) {
    char kind = *s == '*' ? s[1] : *s;
    unsigned last = *s == '*' ? r->argc : i + 1;
    if (last > r->argc) return -1;
    for (; i < last; i++) {
      const struct arg *a = &r->args[i];
      if (a->kind != kind) return -1;
      if (kind == 'i' && a->len != 8) return -1;
      if (kind == 's' && (a->len == 0 || a->data[a->len - 1] != '\0' || memchr(a->data, '\0', a->len - 1))) return -1;
    }
    if (*s == '*') break;
  }
  return i == r->argc ? 0 : -1;
}

static int check_record(struct record *r, int stage, int64_t *steps) {
  r->stage = stage;
  r->step = -1;
  if (r->type == REC_VERSION || r->type == REC_STAGE) return check_sig(r, "i");
  if (r->type == REC_END) return check_sig(r, "");
  const char *sig = op_sig(r->type);
  if (sig == NULL || stage < 0) return -1; /* an unknown record type, or a step before any STAGE */
  r->step = (*steps)++;
  return check_sig(r, sig);
}

static int parse_args(const unsigned char *p, size_t len, struct record *r) {
  if (len < 4) return -1;
  r->argc = get_u32(p);
  if (r->argc > len / 4) return -1;
  r->args = calloc(r->argc ? r->argc : 1, sizeof *r->args);
  size_t off = 4;
  for (uint32_t i = 0; i < r->argc; i++) {
    if (len - off < 5) return -1;
    char kind = (char)p[off];
    uint32_t alen = get_u32(p + off + 1);
    off += 5;
    if (alen > len - off) return -1;
    r->args[i] = (struct arg){kind, alen, p + off};
    off += alen;
  }
  return off == len ? 0 : -1;
}

int parse_message(const unsigned char *buf, size_t len, struct message *out, char *err, size_t errlen) {
  size_t cap = 16, off = 0;
  int stage = -1;
  int64_t steps = 0;
  out->count = 0;
  out->recs = calloc(cap, sizeof *out->recs);
  while (off < len) {
    if (len - off < 8) return fail(err, errlen, "truncated record header", off);
    uint32_t type = get_u32(buf + off), plen = get_u32(buf + off + 4);
    if (plen > len - off - 8) return fail(err, errlen, "truncated record", off);
    if (out->count == cap) out->recs = realloc(out->recs, (cap *= 2) * sizeof *out->recs);
    struct record *r = &out->recs[out->count++];
    r->type = type;
    if (parse_args(buf + off + 8, plen, r) < 0) return fail(err, errlen, "bad arguments", off);
    if (check_record(r, stage, &steps) < 0) return fail(err, errlen, "unknown or ill-formed record", off);
    if (type == REC_STAGE) stage = (int)arg_i64(r, 0);
    off += 8 + plen;
  }
  if (out->count < 1 || out->recs[0].type != REC_VERSION || arg_i64(&out->recs[0], 0) != PROTOCOL_VERSION)
    return fail(err, errlen, "missing or unsupported VERSION", 0);
  if (out->recs[out->count - 1].type != REC_END) return fail(err, errlen, "missing END", len);
  return 0;
}

const char *arg_str(const struct record *r, unsigned i) {
  return (const char *)r->args[i].data;
}

int64_t arg_i64(const struct record *r, unsigned i) {
  uint64_t v = 0;
  for (int b = 7; b >= 0; b--) v = v << 8 | r->args[i].data[b];
  return (int64_t)v;
}

/* Builds one record with the given arguments (each NUL-terminated string or 8-byte integer). */
static void send_record(int fd, uint32_t type, unsigned argc, const char *kinds, const void **vals, const uint32_t *lens) {
  size_t total = 12;
  for (unsigned i = 0; i < argc; i++) total += 5 + lens[i];
  unsigned char *buf = malloc(total), *p = buf + 12;
  put_u32(buf, type);
  put_u32(buf + 4, (uint32_t)(total - 8));
  put_u32(buf + 8, argc);
  for (unsigned i = 0; i < argc; i++) {
    p[0] = (unsigned char)kinds[i];
    put_u32(p + 1, lens[i]);
    memcpy(p + 5, vals[i], lens[i]);
    p += 5 + lens[i];
  }
  ssize_t n;
  do n = write(fd, buf, total); while (n < 0 && errno == EINTR);
  free(buf);
}

static void le64(unsigned char out[8], int64_t v) {
  for (int i = 0; i < 8; i++) out[i] = (unsigned char)((uint64_t)v >> (8 * i));
}

void send_i64(int fd, uint32_t type, int64_t value) {
  unsigned char v[8];
  le64(v, value);
  const void *vals[] = {v};
  uint32_t lens[] = {8};
  send_record(fd, type, 1, "i", vals, lens);
}

void send_empty(int fd, uint32_t type) {
  send_record(fd, type, 0, "", NULL, NULL);
}

void send_error(int fd, int64_t step, int errnum, const char *context) {
  unsigned char s[8], e[8];
  le64(s, step);
  le64(e, errnum);
  const char *text = errnum ? strerror(errnum) : "";
  const void *vals[] = {s, e, context, text};
  uint32_t lens[] = {8, 8, (uint32_t)strlen(context) + 1, (uint32_t)strlen(text) + 1};
  send_record(fd, REC_ERROR, 4, "iiss", vals, lens);
}

static int read_all(int fd, unsigned char *buf, size_t len) {
  size_t off = 0;
  while (off < len) {
    ssize_t n = read(fd, buf + off, len - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EPIPE;
      return -1;
    }
    off += (size_t)n;
  }
  return 0;
}

unsigned char *read_file(const char *path, size_t *len) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NULL;
  off_t size = lseek(fd, 0, SEEK_END);
  unsigned char *buf = NULL;
  if (size >= 0 && (size_t)size <= MAX_MESSAGE && lseek(fd, 0, SEEK_SET) == 0) {
    buf = malloc((size_t)size + 1);
    if (read_all(fd, buf, (size_t)size) < 0) {
      free(buf);
      buf = NULL;
    }
    *len = (size_t)size;
  }
  close(fd);
  return buf;
}

unsigned char *read_prefixed(int fd, size_t *len) {
  unsigned char hdr[4];
  if (read_all(fd, hdr, 4) < 0) return NULL;
  *len = get_u32(hdr);
  if (*len > MAX_MESSAGE) {
    errno = EMSGSIZE;
    return NULL;
  }
  unsigned char *buf = malloc(*len + 1);
  if (read_all(fd, buf, *len) < 0) {
    free(buf);
    return NULL;
  }
  return buf;
}
