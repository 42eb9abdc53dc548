/* Watches training: evaluates the relative L2 error every K steps, appends metrics.csv rows,
 * and shows progress on stderr (a live line on a terminal, plain log lines otherwise). */
#ifndef PINNSOLVE_PINN_MONITOR_H
#define PINNSOLVE_PINN_MONITOR_H

#include <stdbool.h>
#include <stdio.h>

#include "pinn/evaluation.h"
#include "pinn/trainer.h"

typedef struct pinn_monitor_options {
  long eval_every;    /* evaluate every this many steps (>= 1) */
  long total_steps;   /* planned steps, for the ETA */
  bool live;          /* redraw one progress line (stderr is a terminal) */
  bool quiet;         /* no progress output at all */
} pinn_monitor_options;

typedef struct pinn_monitor pinn_monitor;

/* metrics: open stream for metrics.csv (borrowed; the header is written here). */
core_status pinn_monitor_create(pinn_monitor **out, pinn_model *model, pinn_evaluation *evaluation,
                                FILE *metrics, const pinn_monitor_options *options);
void pinn_monitor_destroy(pinn_monitor *m);

/* The trainer's step hook (ctx = the monitor). */
core_status pinn_monitor_step(void *ctx, long step, pinn_phase phase, double loss);
/* Evaluates now and records a row (end of a phase or run); no-op if this step was just evaluated. */
core_status pinn_monitor_evaluate(pinn_monitor *m, long step, pinn_phase phase, double loss);
/* Sets the round reported in metrics rows (adaptive sampling; 0 for fixed points). */
void pinn_monitor_set_round(pinn_monitor *m, int round);
/* Ends the live line. */
void pinn_monitor_finish(pinn_monitor *m);

double pinn_monitor_elapsed(const pinn_monitor *m);      /* seconds since create */
pinn_errors pinn_monitor_last_errors(const pinn_monitor *m);

#endif
