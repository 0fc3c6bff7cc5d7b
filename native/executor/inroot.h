/* Steps on paths inside the container's rootfs: see inroot.c. Each returns 0, or -1 with errno. */
#pragma once
#include "steps.h"

int mknod_at(const struct record *r);
int open_tree_slot(const struct record *r, struct context *c);
int attach_tree(const struct record *r, struct context *c);
int mask_path(const struct record *r);
int readonly_path(const struct record *r);
int write_at(const struct record *r);
