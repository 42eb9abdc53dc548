#include "pinn/monitor.h"

#include <math.h>
#include <stdlib.h>

#include "core/clock.h"
#include "core/log.h"

struct pinn_monitor {
  pinn_model *model;
  pinn_evaluation *evaluation;
  FILE *metrics;
  pinn_monitor_options options;
  double start, last_draw;
  long last_eval_step;
  int round;
  pinn_errors errors;
  bool line_open;
};

core_status pinn_monitor_create(pinn_monitor **out, pinn_model *model, pinn_evaluation *evaluation,
                                FILE *metrics, const pinn_monitor_options *options) {
  *out = NULL;
  pinn_monitor *m = calloc(1, sizeof *m);
  if (!m)
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory creating the monitor");
  m->model = model;
  m->evaluation = evaluation;
  m->metrics = metrics;
  m->options = *options;
  m->start = core_clock_seconds();
  m->last_eval_step = -1;
  m->errors.relative_l2 = m->errors.max_abs = NAN;
  if (metrics && fprintf(metrics, "step,round,phase,loss,l2,max_error,wall_time\n") < 0) {
    free(m);
    return CORE_FAIL(CORE_ERR_IO, "cannot write metrics.csv");
  }
  *out = m;
  return CORE_OK;
}

void pinn_monitor_destroy(pinn_monitor *m) { free(m); }

double pinn_monitor_elapsed(const pinn_monitor *m) { return core_clock_seconds() - m->start; }
pinn_errors pinn_monitor_last_errors(const pinn_monitor *m) { return m->errors; }
void pinn_monitor_set_round(pinn_monitor *m, int round) { m->round = round; }

static void draw_live_line(pinn_monitor *m, long step, pinn_phase phase, double loss) {
  double elapsed = pinn_monitor_elapsed(m);
  double rate = step / fmax(elapsed, 1e-9);
  double eta = (m->options.total_steps - step) / fmax(rate, 1e-9);
  fprintf(stderr, "\r\033[Kstep %ld/%ld %-5s loss %.3e  L2 %.3e  %.0f steps/s  ETA %.0fs", step,
          m->options.total_steps, pinn_phase_name(phase), loss, m->errors.relative_l2, rate, fmax(eta, 0));
  fflush(stderr);
  m->line_open = true;
}

core_status pinn_monitor_evaluate(pinn_monitor *m, long step, pinn_phase phase, double loss) {
  if (step == m->last_eval_step)
    return CORE_OK;
  m->last_eval_step = step;
  CORE_TRY(pinn_evaluation_run(m->evaluation, m->model, &m->errors));
  double wall = pinn_monitor_elapsed(m);
  if (m->metrics) {
    if (fprintf(m->metrics, "%ld,%d,%s,%.10e,%.10e,%.10e,%.4f\n", step, m->round, pinn_phase_name(phase),
                loss, m->errors.relative_l2, m->errors.max_abs, wall) < 0 ||
        fflush(m->metrics) != 0)
      return CORE_FAIL(CORE_ERR_IO, "cannot write metrics.csv");
  }
  if (m->options.quiet)
    return CORE_OK;
  if (m->options.live)
    draw_live_line(m, step, phase, loss);
  else
    core_log("step %ld %s loss %.4e L2 %.4e (%.1f s)", step, pinn_phase_name(phase), loss,
             m->errors.relative_l2, wall);
  return CORE_OK;
}

core_status pinn_monitor_step(void *ctx, long step, pinn_phase phase, double loss) {
  pinn_monitor *m = ctx;
  if (!isfinite(loss))
    return CORE_FAIL(CORE_ERR_NUMERIC, "non-finite loss at step %ld (%s)", step, pinn_phase_name(phase));
  if (step % m->options.eval_every == 0)
    return pinn_monitor_evaluate(m, step, phase, loss);
  if (m->options.live && !m->options.quiet) {
    double t = core_clock_seconds();
    if (t - m->last_draw > 0.25) {
      m->last_draw = t;
      draw_live_line(m, step, phase, loss);
    }
  }
  return CORE_OK;
}

void pinn_monitor_finish(pinn_monitor *m) {
  if (m->line_open) {
    fputc('\n', stderr);
    m->line_open = false;
  }
}
