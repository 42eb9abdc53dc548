/* Forward and reverse passes with jets (in progress). */
#include "nn/mlp.h"

struct nn_jet_workspace { nn_jet_spec spec; };

core_status nn_jet_workspace_create(nn_jet_workspace **out, const nn_mlp *mlp,
                                    const nn_jet_spec *spec, size_t max_points) {
  (void)out; (void)mlp; (void)spec; (void)max_points;
  return CORE_FAIL(CORE_ERR_UNSUPPORTED, "jets not yet implemented");
}
void nn_jet_workspace_destroy(nn_jet_workspace *ws) { (void)ws; }
const nn_jet_spec *nn_jet_workspace_spec(const nn_jet_workspace *ws) { return &ws->spec; }
core_status nn_mlp_forward(const nn_mlp *mlp, nn_jet_workspace *ws, const double *x, size_t n,
                           const double **out) {
  (void)mlp; (void)ws; (void)x; (void)n; (void)out;
  return CORE_FAIL(CORE_ERR_UNSUPPORTED, "jets not yet implemented");
}
core_status nn_mlp_backward(nn_mlp *mlp, nn_jet_workspace *ws, const double *out_adjoint,
                            double *x_adjoint) {
  (void)mlp; (void)ws; (void)out_adjoint; (void)x_adjoint;
  return CORE_FAIL(CORE_ERR_UNSUPPORTED, "jets not yet implemented");
}
