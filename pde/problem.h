/* The problem interface: a static const ops table per PDE plus an instance with its parameters.
 *
 * Stream convention is nn/mlp.h's: a problem's `jets` lists the partials of u its residual needs;
 * arrays called *_jets are (streams, n) row-major (stream 0 = value).
 *
 * Boundary and initial conditions are built in by a hard-constraint ansatz u = g(x) + l(x) N(x)
 * (N the network), so the training loss is the PDE residual alone. */
#ifndef PINNSOLVE_PDE_PROBLEM_H
#define PINNSOLVE_PDE_PROBLEM_H

#include <stddef.h>

#include "core/status.h"
#include "nn/mlp.h"

#define PDE_MAX_PARAMS 8

typedef struct pde_problem pde_problem;

typedef struct pde_problem_type {
  const char *name;           /* the [problem] name in a config file */
  int dim;                    /* input dimension (space and time) */
  const char *const *input_names; /* dim names, e.g. {"x", "t"} */
  double lower[NN_MAX_INPUTS], upper[NN_MAX_INPUTS]; /* the box */
  nn_jet_spec jets;           /* partials of u the residual needs */

  int n_params;               /* problem parameters settable from [problem] */
  const char *const *param_names;
  double param_defaults[PDE_MAX_PARAMS];

  /* Optional input features: n_features > 0 means the network sees phi(x) (n_features values)
   * instead of x, e.g. (cos(pi x), sin(pi x), t) to make u periodic in x by construction. The op
   * writes the features' jets with respect to the original inputs x for the type's `jets` spec:
   * phi_jets (streams, n, n_features) row-major, entry (s, p, i) = stream s of feature i at point p,
   * at x (n, dim). n_features = 0 and features = NULL: the network sees x. */
  int n_features;
  void (*features)(const pde_problem *p, size_t n, const double *x, double *phi_jets);
  /* Jets of g and l at x: g_jets, l_jets (streams, n). NULL means u = N (no ansatz). */
  void (*ansatz)(const pde_problem *p, size_t n, const double *x, double *g_jets, double *l_jets);
  /* r (n) and dr/du_s (streams, n) at x (n, dim) given u_jets (streams, n). */
  void (*residual)(const pde_problem *p, size_t n, const double *x, const double *u_jets,
                   double *r, double *dr_du);
  /* Optional exact or reference solution at x (n, dim) into u (n). NULL when unknown. */
  core_status (*reference)(const pde_problem *p, size_t n, const double *x, double *u);
  /* For a computed reference: the same method at a higher resolution, for the resolution study
   * that bounds the reference's own error (pde/reference_error.h). NULL when the reference is a
   * closed form (its error is rounding only). */
  core_status (*reference_finer)(const pde_problem *p, size_t n, const double *x, double *u);
} pde_problem_type;

struct pde_problem {
  const pde_problem_type *type;
  double params[PDE_MAX_PARAMS];
};

/* Registry: every problem type, NULL-terminated; lookup by name (NULL if unknown). */
extern const pde_problem_type *const pde_problem_types[];
const pde_problem_type *pde_problem_type_find(const char *name);

/* An instance with the type's default parameters. */
void pde_problem_init(pde_problem *p, const pde_problem_type *type);
/* Index of a named parameter, -1 if the type has none of that name. */
int pde_problem_param_index(const pde_problem_type *type, const char *name);

/* u jets from the network's jets through the ansatz (Leibniz rule per stream).
 * net_jets (streams, n); g_jets/l_jets (streams, n) from type->ansatz; u_jets (streams, n). */
void pde_compose_ansatz(const nn_jet_spec *spec, size_t n, const double *g_jets,
                        const double *l_jets, const double *net_jets, double *u_jets);
/* The transpose: given dL/du_jets, write dL/dnet_jets. */
void pde_compose_ansatz_adjoint(const nn_jet_spec *spec, size_t n, const double *l_jets,
                                const double *u_adjoint, double *net_adjoint);

#endif
