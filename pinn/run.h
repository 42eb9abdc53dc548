/* One pinnsolve run: build the problem, network and points from a config, train, evaluate, and
 * write the run directory (resolved config, metrics.csv, .npy arrays, summary.json). */
#ifndef PINNSOLVE_PINN_RUN_H
#define PINNSOLVE_PINN_RUN_H

#include <stdbool.h>

#include "core/status.h"
#include "pinn/config.h"

typedef struct pinn_run_request {
  const char *out_dir;  /* --out DIR, or NULL for <out_root>/<problem>-<timestamp> */
  bool quiet;           /* no progress output */
  bool live_progress;   /* one redrawn progress line (stderr is a terminal) */
  bool report;          /* run scripts/report on the finished run directory */
} pinn_run_request;

typedef struct pinn_run_result {
  double relative_l2;
  double max_error;
  double wall_seconds;
  long steps;
  char run_dir[4096];
} pinn_run_result;

core_status pinn_run(const pinn_config *config, const pinn_run_request *request, pinn_run_result *result);

#endif
