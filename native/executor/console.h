/* The container's terminal: see console.c. Each returns 0, or -1 with errno set. */
#pragma once
#include "steps.h"

int console_connect(const struct record *r, struct context *c);
int console_pair(const struct record *r, struct context *c);
int pty_open(const struct record *r, struct context *c);
