/* Process security steps: see security.c. Each returns 0, or -1 with errno set. */
#pragma once
#include "steps.h"

int set_rlimit(const struct record *r);
int set_scheduler(const struct record *r);
int set_ioprio(const struct record *r);
int cap_bounding(const struct record *r);
int cap_set(const struct record *r);
int cap_ambient(const struct record *r);
int seccomp_load(const struct record *r, struct context *c);
