/* What every executor mode shares: reporting a failed step, running a stage's steps, dying with the
 * process that started this one (main.c "Crash safety"), and reaping the process it runs. */
#pragma once
#include <stdint.h>
#include <sys/types.h>
#include "steps.h"

/* Reports the failure of a step (-1: no step) on the sync fd and exits 1. */
void die(struct context *c, int64_t step, int errnum, const char *what);

/* The process this stage dies with: stage 0 names the CLI by the sync fd it reads, stage 1 stage 0 by pid. */
extern int tied_fd;
extern pid_t tied_pid;
/* Arms the death signal, then makes sure the parent did not die before it was armed. */
void tie(void);
void untie(void);

/* Tests only: reads `test-pause-at-step` in the cwd (create.ts testPauseAtStep); off stops it. */
void test_hooks(void);
void test_hooks_off(void);
/* Stops there when `step` is the one test_hooks read; run_stage calls it before each step. */
void test_pause_point(int64_t step, int stage);

/*
 * Stage 0 of every mode: a context with no fd in any slot, the name `ps` shows, only stdio and the
 * fds below SYNC_FD kept (the CLI puts --preserve-fds N at 3..3+N-1 and the pipe right after them;
 * ENGINES.md: go-runc waits for EOF on what it gave), and tied to the CLI.
 */
void begin_host(struct context *c, struct message *plan, int sync_fd, const char *name);
/* Reads the plan file, unlinks it and parses it into plan; a failure is reported and ends the process. */
void load_plan(struct context *c, struct message *plan, const char *plan_file);

/* Runs every step of one stage; the first failure is reported with its index and ends the process. */
void run_stage(const struct message *m, int stage, struct context *c);
const struct record *find_step(const struct message *m, int64_t step);
int has_steps(const struct message *m, int stage);

/*
 * Waits for `pid`, forwarding the usual signals to it, and returns its exit code (128+signal when
 * killed), also written to `status_file` when not NULL. As a subreaper, other children it reaps
 * are ignored.
 */
int reap(pid_t pid, const char *status_file);
