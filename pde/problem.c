#include "pde/problem.h"

#include <string.h>

const pde_problem_type *pde_problem_type_find(const char *name) {
  for (const pde_problem_type *const *t = pde_problem_types; *t; t++)
    if (strcmp((*t)->name, name) == 0)
      return *t;
  return NULL;
}

void pde_problem_init(pde_problem *p, const pde_problem_type *type) {
  memset(p, 0, sizeof *p);
  p->type = type;
  for (int i = 0; i < type->n_params; i++)
    p->params[i] = type->param_defaults[i];
}

int pde_problem_param_index(const pde_problem_type *type, const char *name) {
  for (int i = 0; i < type->n_params; i++)
    if (strcmp(type->param_names[i], name) == 0)
      return i;
  return -1;
}

/* Leibniz rule for u = g + l N, stream by stream:
 *   u     = g     + l N
 *   u_a   = g_a   + l_a N + l N_a
 *   u_ab  = g_ab  + l_ab N + l_a N_b + l_b N_a + l N_ab                                    */
void pde_compose_ansatz(const nn_jet_spec *spec, size_t n, const double *g_jets,
                        const double *l_jets, const double *net_jets, double *u_jets) {
  const double *l0 = l_jets, *n0 = net_jets;
  for (size_t p = 0; p < n; p++)
    u_jets[p] = g_jets[p] + l0[p] * n0[p];
  for (int k = 0; k < spec->n_first; k++) {
    size_t s = (size_t)(1 + k) * n;
    for (size_t p = 0; p < n; p++)
      u_jets[s + p] = g_jets[s + p] + l_jets[s + p] * n0[p] + l0[p] * net_jets[s + p];
  }
  for (int k = 0; k < spec->n_second; k++) {
    size_t s = (size_t)(1 + spec->n_first + k) * n;
    size_t a = (size_t)nn_jet_spec_first_stream(spec, spec->second[k][0]) * n;
    size_t b = (size_t)nn_jet_spec_first_stream(spec, spec->second[k][1]) * n;
    for (size_t p = 0; p < n; p++)
      u_jets[s + p] = g_jets[s + p] + l_jets[s + p] * n0[p] + l_jets[a + p] * net_jets[b + p] +
                      l_jets[b + p] * net_jets[a + p] + l0[p] * net_jets[s + p];
  }
}

void pde_compose_ansatz_adjoint(const nn_jet_spec *spec, size_t n, const double *l_jets,
                                const double *u_adjoint, double *net_adjoint) {
  int streams = nn_jet_spec_streams(spec);
  const double *l0 = l_jets;
  for (int s = 0; s < streams; s++)
    for (size_t p = 0; p < n; p++)
      net_adjoint[(size_t)s * n + p] = l0[p] * u_adjoint[(size_t)s * n + p];
  for (int k = 0; k < spec->n_first; k++) {
    size_t s = (size_t)(1 + k) * n;
    for (size_t p = 0; p < n; p++)
      net_adjoint[p] += l_jets[s + p] * u_adjoint[s + p];
  }
  for (int k = 0; k < spec->n_second; k++) {
    size_t s = (size_t)(1 + spec->n_first + k) * n;
    size_t a = (size_t)nn_jet_spec_first_stream(spec, spec->second[k][0]) * n;
    size_t b = (size_t)nn_jet_spec_first_stream(spec, spec->second[k][1]) * n;
    for (size_t p = 0; p < n; p++) {
      net_adjoint[p] += l_jets[s + p] * u_adjoint[s + p];
      net_adjoint[b + p] += l_jets[a + p] * u_adjoint[s + p];
      net_adjoint[a + p] += l_jets[b + p] * u_adjoint[s + p];
    }
  }
}
