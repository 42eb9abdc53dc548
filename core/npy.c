#include "core/npy.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic_file.h"

static const unsigned char npy_magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};

enum { NPY_CHUNK = 512, NPY_MAX_PREAMBLE = 256 };

/* Element count with an overflow check (the byte count must also fit in size_t). */
static int npy_count(int ndim, const size_t *shape, size_t *count) {
  size_t n = 1;
  for (int d = 0; d < ndim; ++d) {
    if (shape[d] != 0 && n > SIZE_MAX / sizeof(double) / shape[d])
      return -1;
    n *= shape[d];
  }
  *count = n;
  return 0;
}

/* Magic, version 1.0, header length and the padded dict; returns the total length, a multiple
 * of CORE_NPY_ALIGN. The dict text matches what numpy writes, including "(n,)" for 1-D. */
static size_t npy_format_preamble(unsigned char *buf, int ndim, const size_t *shape) {
  char dict[NPY_MAX_PREAMBLE];
  int len = snprintf(dict, sizeof dict, "{'descr': '<f8', 'fortran_order': False, 'shape': (");
  for (int d = 0; d < ndim; ++d)
    len += snprintf(dict + len, sizeof dict - (size_t)len, d == 0 ? "%zu" : ", %zu", shape[d]);
  len += snprintf(dict + len, sizeof dict - (size_t)len, ndim == 1 ? ",), }" : "), }");
  size_t total = 10 + (size_t)len + 1; /* + the terminating '\n' */
  total = (total + CORE_NPY_ALIGN - 1) / CORE_NPY_ALIGN * CORE_NPY_ALIGN;
  size_t header_len = total - 10;
  memcpy(buf, npy_magic, 6);
  buf[6] = 1;
  buf[7] = 0;
  buf[8] = (unsigned char)(header_len & 0xff);
  buf[9] = (unsigned char)(header_len >> 8);
  memcpy(buf + 10, dict, (size_t)len);
  memset(buf + 10 + len, ' ', header_len - (size_t)len - 1);
  buf[total - 1] = '\n';
  return total;
}

/* Byte order is fixed by the format ('<'), not by the host. */
static void encode_le(const double *src, size_t n, unsigned char *dst) {
  for (size_t i = 0; i < n; ++i) {
    uint64_t bits;
    memcpy(&bits, &src[i], sizeof bits);
    for (int b = 0; b < 8; ++b)
      dst[8 * i + (size_t)b] = (unsigned char)(bits >> (8 * b));
  }
}

static void decode_le(const unsigned char *src, size_t n, double *dst) {
  for (size_t i = 0; i < n; ++i) {
    uint64_t bits = 0;
    for (int b = 0; b < 8; ++b)
      bits |= (uint64_t)src[8 * i + (size_t)b] << (8 * b);
    memcpy(&dst[i], &bits, sizeof bits);
  }
}

core_status core_npy_write(const char *path, const double *data, int ndim, const size_t *shape) {
  if (ndim < 1 || ndim > CORE_NPY_MAX_DIM)
    return CORE_FAIL(CORE_ERR_INVALID, "cannot write '%s': %d dimensions (supported: 1 to %d)",
                     path, ndim, CORE_NPY_MAX_DIM);
  size_t count;
  if (npy_count(ndim, shape, &count) != 0)
    return CORE_FAIL(CORE_ERR_INVALID, "cannot write '%s': array too large", path);
  if (count > 0 && data == NULL)
    return CORE_FAIL(CORE_ERR_INVALID, "cannot write '%s': no data", path);
  unsigned char preamble[NPY_MAX_PREAMBLE];
  size_t preamble_len = npy_format_preamble(preamble, ndim, shape);
  core_atomic_file *file = NULL;
  CORE_TRY(core_atomic_file_open(&file, path));
  core_atomic_file_write(file, preamble, preamble_len);
  unsigned char chunk[8 * NPY_CHUNK];
  for (size_t i = 0; i < count; i += NPY_CHUNK) {
    size_t n = count - i < NPY_CHUNK ? count - i : NPY_CHUNK;
    encode_le(data + i, n, chunk);
    core_atomic_file_write(file, chunk, 8 * n);
  }
  return core_atomic_file_commit(file);
}

static const char *skip_space(const char *p) {
  while (*p == ' ' || *p == '\t' || *p == '\n')
    ++p;
  return p;
}

/* Points just past "'key':" (either quote style), or NULL. */
static const char *find_key(const char *dict, const char *key) {
  char quoted[2][32];
  snprintf(quoted[0], sizeof quoted[0], "'%s'", key);
  snprintf(quoted[1], sizeof quoted[1], "\"%s\"", key);
  for (int q = 0; q < 2; ++q) {
    const char *p = strstr(dict, quoted[q]);
    if (p != NULL) {
      p = skip_space(p + strlen(quoted[q]));
      return *p == ':' ? skip_space(p + 1) : NULL;
    }
  }
  return NULL;
}

static int parse_shape(const char *p, int *ndim, size_t shape[CORE_NPY_MAX_DIM]) {
  if (p == NULL || *p != '(')
    return -1;
  p = skip_space(p + 1);
  int n = 0;
  while (*p != ')') {
    if (*p < '0' || *p > '9' || n == CORE_NPY_MAX_DIM)
      return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(p, &end, 10);
    if (errno != 0 || v > SIZE_MAX)
      return -1;
    shape[n++] = (size_t)v;
    p = skip_space(end);
    if (*p == ',')
      p = skip_space(p + 1);
    else if (*p != ')')
      return -1;
  }
  *ndim = n;
  return 0;
}

/* Checks the header dict; on failure writes the reason to `why`. */
static int parse_dict(const char *dict, int *ndim, size_t shape[CORE_NPY_MAX_DIM], char *why,
                      size_t why_size) {
  const char *descr = find_key(dict, "descr");
  const char *order = find_key(dict, "fortran_order");
  const char *shp = find_key(dict, "shape");
  if (descr == NULL || order == NULL || shp == NULL || (*descr != '\'' && *descr != '"')) {
    snprintf(why, why_size, "malformed .npy header");
    return -1;
  }
  const char *close = strchr(descr + 1, *descr);
  int descr_len = close == NULL ? 0 : (int)(close - descr - 1);
  if (descr_len != 3 || strncmp(descr + 1, "<f8", 3) != 0) {
    snprintf(why, why_size, "dtype '%.*s' is not supported (only '<f8', little-endian float64)",
             descr_len > 16 ? 16 : descr_len, descr + 1);
    return -1;
  }
  if (strncmp(order, "False", 5) != 0) {
    snprintf(why, why_size, "Fortran-order arrays are not supported (only C order)");
    return -1;
  }
  if (parse_shape(shp, ndim, shape) != 0 || *ndim < 1) {
    snprintf(why, why_size, "unsupported shape (need 1 to %d dimensions)", CORE_NPY_MAX_DIM);
    return -1;
  }
  return 0;
}

/* Reads magic, version and the header dict (malloc'd into *dict). */
static int read_header(FILE *fp, char **dict, char *why, size_t why_size) {
  unsigned char pre[12];
  if (fread(pre, 1, 8, fp) != 8 || memcmp(pre, npy_magic, 6) != 0) {
    snprintf(why, why_size, "not a .npy file");
    return -1;
  }
  int major = pre[6];
  if (major < 1 || major > 3) {
    snprintf(why, why_size, ".npy format version %d.%d is not supported", major, pre[7]);
    return -1;
  }
  size_t len_bytes = major == 1 ? 2 : 4;
  if (fread(pre + 8, 1, len_bytes, fp) != len_bytes) {
    snprintf(why, why_size, "truncated .npy header");
    return -1;
  }
  size_t len = 0;
  for (size_t b = 0; b < len_bytes; ++b)
    len |= (size_t)pre[8 + b] << (8 * b);
  if (len > (1u << 20) || (*dict = malloc(len + 1)) == NULL) {
    snprintf(why, why_size, "unreasonable .npy header length %zu", len);
    return -1;
  }
  if (fread(*dict, 1, len, fp) != len) {
    free(*dict);
    *dict = NULL;
    snprintf(why, why_size, "truncated .npy header");
    return -1;
  }
  (*dict)[len] = '\0';
  return 0;
}

/* Reads exactly `count` values and insists the file ends there. */
static int read_values(FILE *fp, size_t count, double *data, char *why, size_t why_size) {
  unsigned char chunk[8 * NPY_CHUNK];
  for (size_t i = 0; i < count; i += NPY_CHUNK) {
    size_t n = count - i < NPY_CHUNK ? count - i : NPY_CHUNK;
    if (fread(chunk, 8, n, fp) != n) {
      snprintf(why, why_size, "file is shorter than its shape says (%zu values)", count);
      return -1;
    }
    decode_le(chunk, n, data + i);
  }
  if (fgetc(fp) != EOF) {
    snprintf(why, why_size, "file is longer than its shape says (%zu values)", count);
    return -1;
  }
  return 0;
}

core_status core_npy_read(const char *path, double **data_out, int *ndim_out,
                          size_t shape_out[CORE_NPY_MAX_DIM]) {
  FILE *fp = fopen(path, "rb");
  if (fp == NULL)
    return CORE_FAIL(CORE_ERR_IO, "cannot read '%s': %s", path, strerror(errno));
  char why[160] = "";
  char *dict = NULL;
  double *data = NULL;
  int ndim = 0;
  size_t shape[CORE_NPY_MAX_DIM], count = 0;
  int bad = read_header(fp, &dict, why, sizeof why);
  if (!bad)
    bad = parse_dict(dict, &ndim, shape, why, sizeof why);
  if (!bad && npy_count(ndim, shape, &count) != 0) {
    snprintf(why, sizeof why, "array too large");
    bad = -1;
  }
  if (!bad && (data = malloc(count > 0 ? count * sizeof *data : 1)) == NULL) {
    fclose(fp);
    free(dict);
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory reading '%s'", path);
  }
  if (!bad)
    bad = read_values(fp, count, data, why, sizeof why);
  fclose(fp);
  free(dict);
  if (bad) {
    free(data);
    return CORE_FAIL(CORE_ERR_IO, "cannot read '%s': %s", path, why);
  }
  *data_out = data;
  *ndim_out = ndim;
  memcpy(shape_out, shape, (size_t)ndim * sizeof *shape);
  return CORE_OK;
}
