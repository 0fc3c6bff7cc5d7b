/* Hooks (config.md "POSIX-platform Hooks"): see hook.c. Each returns 0, or -1 with errno set. */
#pragma once
#include "steps.h"

int run_hook(const struct record *r, struct context *c, char *what, size_t n);
int hook_sync(struct context *c);
