/* `run` and `exec` in the foreground with a terminal: see relay.c. */
#pragma once
#include <sys/types.h>

/*
 * reap() (stage.h) that also relays the terminal: the pty master arrives on relay_fd (CONSOLE_PAIR);
 * then stdin goes to it, its output to stdout, the window size follows ours, and our terminal is
 * raw until the process exits, then restored.
 */
int reap_relayed(pid_t pid, int relay_fd, const char *status_file);
