#pragma once
#include <stddef.h>
#include <sys/types.h>

/* Field 22 of /proc/PID/stat (the start time liveness.ts compares) into OUT; -1 with errno. */
int start_time_of(pid_t pid, char *out, size_t n);
/* Detaches, waits (on a pidfd, no polling) until PID with START_TIME exits, then execs PROGRAM. */
int watch(const char *pid, const char *start_time, char **program);
