/* pinnsolve's command line: parse arguments, load the problem file, run, turn a status into an
 * exit code. Exit codes: 0 success, 1 a run failed, 2 bad command line or configuration. */
#include <gsl/gsl_errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "gen/sampler.h"
#include "pde/problem.h"
#include "pinn/blas_setup.h"
#include "pinn/config.h"
#include "pinn/run.h"
#include "pinn/version.h"

enum { MAX_OVERRIDES = 256 };

typedef struct cli_args {
  const char *config_path;
  const char *out_dir;
  const char *overrides[MAX_OVERRIDES];
  char seed_override[64];
  int n_overrides;
  bool quiet, report, help, version;
} cli_args;

static void print_usage(FILE *f) {
  fputs("usage: pinnsolve [options] PROBLEM.toml\n"
        "\n"
        "Trains a physics-informed neural network on the problem file and writes a run directory\n"
        "(default runs/<problem>-<timestamp>/). The last line printed is the relative L2 error.\n"
        "\n"
        "options:\n"
        "  --set KEY=VALUE  override a config key, e.g. --set trainer.adam_steps=5000 (repeatable)\n"
        "  --seed N         same as --set run.seed=N\n"
        "  --out DIR        write the run directory to DIR (must not exist or be empty)\n"
        "  --report         write DIR/report/ with figures at the end (needs python3-matplotlib)\n"
        "  --quiet          no progress output; only the final line\n"
        "  --help           this text\n"
        "  --version        version and library versions\n",
        f);
  fputs("\nproblems:", f);
  for (const pde_problem_type *const *t = pde_problem_types; *t; t++)
    fprintf(f, " %s", (*t)->name);
  fputs("\nsamplers:", f);
  for (const gen_sampler_type *const *t = gen_sampler_types; *t; t++)
    fprintf(f, " %s", (*t)->name);
  fputs("\n", f);
}

static int usage_error(const char *fmt, const char *arg) {
  fputs("pinnsolve: error: ", stderr);
  fprintf(stderr, fmt, arg);
  fputs(" (see pinnsolve --help)\n", stderr);
  return 2;
}

/* Returns 0 on success, or the exit code for a usage error. */
static int parse_args(int argc, char **argv, cli_args *a) {
  memset(a, 0, sizeof *a);
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    bool has_value = i + 1 < argc;
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
      a->help = true;
    } else if (strcmp(arg, "--version") == 0) {
      a->version = true;
    } else if (strcmp(arg, "--quiet") == 0 || strcmp(arg, "-q") == 0) {
      a->quiet = true;
    } else if (strcmp(arg, "--report") == 0) {
      a->report = true;
    } else if (strcmp(arg, "--set") == 0 || strcmp(arg, "--seed") == 0 || strcmp(arg, "--out") == 0) {
      if (!has_value)
        return usage_error("%s needs a value", arg);
      const char *value = argv[++i];
      if (strcmp(arg, "--out") == 0) {
        a->out_dir = value;
      } else if (a->n_overrides == MAX_OVERRIDES) {
        return usage_error("too many overrides (at most 256, at %s)", value);
      } else if (strcmp(arg, "--set") == 0) {
        if (!strchr(value, '='))
          return usage_error("--set needs KEY=VALUE, got '%s'", value);
        a->overrides[a->n_overrides++] = value;
      } else {
        snprintf(a->seed_override, sizeof a->seed_override, "run.seed=%s", value);
        a->overrides[a->n_overrides++] = a->seed_override;
      }
    } else if (arg[0] == '-' && arg[1] != '\0') {
      return usage_error("unknown option '%s'", arg);
    } else if (a->config_path) {
      return usage_error("more than one problem file given ('%s')", arg);
    } else {
      a->config_path = arg;
    }
  }
  if (!a->help && !a->version && !a->config_path)
    return usage_error("%s", "no problem file given");
  return 0;
}

static int fail(core_status status) {
  fprintf(stderr, "pinnsolve: error: %s\n", core_error_message());
  if (getenv("PINNSOLVE_DEBUG"))
    fprintf(stderr, "pinnsolve: (%s, raised at %s)\n", core_status_string(status), core_error_origin());
  return status == CORE_ERR_CONFIG ? 2 : 1;
}

int main(int argc, char **argv) {
  pinn_blas_select_kernels(argv);
  gsl_set_error_handler_off();
  cli_args args;
  int code = parse_args(argc, argv, &args);
  if (code != 0)
    return code;
  if (args.help) {
    print_usage(stdout);
    return 0;
  }
  if (args.version) {
    printf("pinnsolve %s (%s)\n", pinn_version(), pinn_library_versions());
    return 0;
  }
  core_log_set_quiet(args.quiet);
  pinn_config config;
  core_status status = pinn_config_load(&config, args.config_path, args.n_overrides, args.overrides);
  if (status != CORE_OK) {
    fail(status);
    return 2; /* nothing ran: a missing or invalid problem file is a usage error */
  }
  pinn_run_request request = {
      .out_dir = args.out_dir,
      .quiet = args.quiet,
      .live_progress = !args.quiet && isatty(STDERR_FILENO),
      .report = args.report,
  };
  pinn_run_result result;
  status = pinn_run(&config, &request, &result);
  if (status != CORE_OK)
    return fail(status);
  printf("relative L2 error: %.6e\n", result.relative_l2);
  return 0;
}
