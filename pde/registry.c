/* Every problem type pinnsolve knows. */
#include "pde/problem.h"
#include "pde/allen_cahn.h"
#include "pde/allen_cahn_periodic.h"
#include "pde/burgers.h"
#include "pde/poisson_peak.h"
#include "pde/wave.h"

const pde_problem_type *const pde_problem_types[] = {
    &pde_burgers,
    &pde_allen_cahn,
    &pde_allen_cahn_periodic,
    &pde_wave,
    &pde_poisson_peak,
    &pde_poisson_peak_10d,
    NULL,
};
