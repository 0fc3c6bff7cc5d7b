/* Steps across namespaces: see hostns.c. Each returns 0, or -1 with errno set. */
#pragma once
#include "steps.h"

int userns_fd(const struct record *r, struct context *c);
int listener_connect(const struct record *r, struct context *c);
int netdev_move(const struct record *r, struct context *c);
