/* NumPy .npy files (format version 1.0) holding little-endian float64 arrays in C order.
 *
 * Layout: magic "\x93NUMPY", version bytes 1 0, uint16 little-endian header length, then an
 * ASCII dict "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }" padded with spaces
 * and a final '\n' so the data starts at a multiple of 64 bytes (numpy aligns the same way, so
 * files can be memory-mapped), then the raw values. Writes go through core/atomic_file. */
#ifndef PINNSOLVE_CORE_NPY_H
#define PINNSOLVE_CORE_NPY_H

#include <stddef.h>

#include "core/status.h"

#define CORE_NPY_MAX_DIM 4
#define CORE_NPY_ALIGN 64

/* Writes `data` (shape[0] x ... x shape[ndim-1] values, row-major, borrowed) to `path`.
 * 1 <= ndim <= CORE_NPY_MAX_DIM; a zero extent is allowed (data may then be NULL). */
core_status core_npy_write(const char *path, const double *data, int ndim, const size_t *shape);

/* Reads a '<f8' C-order file with 1 <= ndim <= CORE_NPY_MAX_DIM (format versions 1.0-3.0).
 * *data_out is malloc'd (free() it; non-NULL even for zero elements), shape_out receives ndim
 * extents. Other dtypes, Fortran order and truncated or oversized files are CORE_ERR_IO with
 * a message naming the path and the problem. Outputs are untouched on failure. */
core_status core_npy_read(const char *path, double **data_out, int *ndim_out,
                          size_t shape_out[CORE_NPY_MAX_DIM]);

#endif
