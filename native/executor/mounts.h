/* Mount steps beyond mount(2): see mounts.c. Each returns 0, or -1 with errno set. */
#pragma once
#include "steps.h"

int idmap_mount(const struct record *r, struct context *c, char *what, size_t n);
int tmpfs_copyup(const struct record *r, struct context *c, char *what, size_t n);
