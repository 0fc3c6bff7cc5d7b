/* `ocirt-executor exec|exec-detach SYNC_FD PLAN_FILE`: one more process in namespaces that exist; see exec.c. */
#pragma once

/* Runs the plan; returns the executor's exit status (the process's in the foreground). */
int exec_process(int sync_fd, const char *plan_file, int detach);
