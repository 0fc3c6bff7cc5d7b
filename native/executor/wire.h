/* Records of the plan and the frames sent back: the format is drawn in src/plan/protocol.ts. */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "protocol.h"

struct arg {
  char kind; /* 's' or 'i' */
  uint32_t len;
  const unsigned char *data;
};

struct record {
  uint32_t type;
  uint32_t argc;
  struct arg *args;
  int64_t step; /* index among the message's steps; -1 for VERSION, STAGE and END */
  int stage;    /* the STAGE record that precedes it */
};

struct message {
  struct record *recs;
  size_t count;
};

/* Parses and checks a whole message against the op signatures; 0, or -1 with a reason in err. */
int parse_message(const unsigned char *buf, size_t len, struct message *out, char *err, size_t errlen);
const char *arg_str(const struct record *r, unsigned i);
int64_t arg_i64(const struct record *r, unsigned i);

/* Frames: written whole with one write(2), so a frame from one stage never interleaves another's. */
void send_i64(int fd, uint32_t type, int64_t value);
void send_empty(int fd, uint32_t type);
void send_error(int fd, int64_t step, int errnum, const char *context);

/* Reads a file or a length-prefixed message into a malloc'd buffer; NULL on error (errno set). */
unsigned char *read_file(const char *path, size_t *len);
unsigned char *read_prefixed(int fd, size_t *len);
