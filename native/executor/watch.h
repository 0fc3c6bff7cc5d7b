#pragma once
/* Detaches, waits (on a pidfd, no polling) until PID with START_TIME exits, then execs PROGRAM. */
int watch(const char *pid, const char *start_time, char **program);
