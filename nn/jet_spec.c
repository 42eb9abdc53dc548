/* Bookkeeping for which input partials the network propagates (see nn/mlp.h). */
#include "nn/mlp.h"

int nn_jet_spec_streams(const nn_jet_spec *spec) { return 1 + spec->n_first + spec->n_second; }

int nn_jet_spec_first_stream(const nn_jet_spec *spec, int input) {
  for (int k = 0; k < spec->n_first; k++)
    if (spec->first[k] == input)
      return 1 + k;
  return -1;
}

int nn_jet_spec_second_stream(const nn_jet_spec *spec, int a, int b) {
  if (a > b) {
    int t = a;
    a = b;
    b = t;
  }
  for (int k = 0; k < spec->n_second; k++)
    if (spec->second[k][0] == a && spec->second[k][1] == b)
      return 1 + spec->n_first + k;
  return -1;
}

core_status nn_jet_spec_validate(const nn_jet_spec *spec, int in_dim) {
  if (spec->n_first < 0 || spec->n_first > NN_MAX_INPUTS || spec->n_second < 0 ||
      spec->n_second > NN_MAX_SECOND)
    return CORE_FAIL(CORE_ERR_INVALID, "jet spec: %d first and %d second partials is out of range",
                     spec->n_first, spec->n_second);
  for (int k = 0; k < spec->n_first; k++) {
    if (spec->first[k] < 0 || spec->first[k] >= in_dim)
      return CORE_FAIL(CORE_ERR_INVALID, "jet spec: input %d outside 0..%d", spec->first[k], in_dim - 1);
    if (nn_jet_spec_first_stream(spec, spec->first[k]) != 1 + k)
      return CORE_FAIL(CORE_ERR_INVALID, "jet spec: input %d listed twice", spec->first[k]);
  }
  for (int k = 0; k < spec->n_second; k++) {
    int a = spec->second[k][0], b = spec->second[k][1];
    if (a > b || nn_jet_spec_first_stream(spec, a) < 0 || nn_jet_spec_first_stream(spec, b) < 0)
      return CORE_FAIL(CORE_ERR_INVALID,
                       "jet spec: second partial (%d,%d) needs a <= b and both first partials", a, b);
    if (nn_jet_spec_second_stream(spec, a, b) != 1 + spec->n_first + k)
      return CORE_FAIL(CORE_ERR_INVALID, "jet spec: second partial (%d,%d) listed twice", a, b);
  }
  return CORE_OK;
}
