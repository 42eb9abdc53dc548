/* A run directory that appears atomically and never replaces an earlier run.
 *
 * The run writes into a staging directory "<final>.partial" next to its final location; finish
 * renames it into place, so a directory without ".partial" is always a complete run. A run that
 * dies or fails keeps its staging directory (partial results are never deleted).
 *
 * Final location: either exactly the --out directory, which must not exist or be empty, or
 * "root/name-YYYYmmdd-HHMMSS" (local time) with "-2", "-3", ... appended when that name, or its
 * staging name, is already taken. */
#ifndef PINNSOLVE_CORE_RUN_DIR_H
#define PINNSOLVE_CORE_RUN_DIR_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "core/status.h"

typedef struct core_run_dir core_run_dir;

/* Creates the staging directory. explicit_dir (may be NULL): the --out directory; when given,
 * root and name are ignored. Otherwise root (created with its parents if missing; NULL or ""
 * means ".") and name (non-empty, no '/', not "." or "..") form the timestamped location.
 * Errors: "output directory 'DIR' already exists and is not empty", or CORE_ERR_IO naming the
 * path and strerror when a directory cannot be created. *out is NULL on failure. */
core_status core_run_dir_create(core_run_dir **out, const char *root, const char *name,
                                const char *explicit_dir);

/* Same with the timestamp taken from `when` instead of the clock (tests, reproducible names). */
core_status core_run_dir_create_at(core_run_dir **out, const char *root, const char *name,
                                   const char *explicit_dir, time_t when);

/* "<dir>/<file>" in buf, where dir is the staging directory before finish and the final one
 * after. CORE_ERR_INVALID if it does not fit in `size` bytes. */
core_status core_run_dir_path(const core_run_dir *rd, const char *file, char *buf, size_t size);

/* Renames staging onto the final location. If an automatically named final location was taken
 * meanwhile, the next free suffix is used; an --out directory that became non-empty is an error
 * (the message names the staging directory holding the results). final_path_out (may be NULL)
 * receives the final path; CORE_ERR_INVALID if it does not fit (the rename has happened). */
core_status core_run_dir_finish(core_run_dir *rd, char *final_path_out, size_t size);

/* Borrowed paths, valid until destroy. final_path is the intended location until finish. */
const char *core_run_dir_staging_path(const core_run_dir *rd);
const char *core_run_dir_final_path(const core_run_dir *rd);
bool core_run_dir_is_finished(const core_run_dir *rd);

/* Frees the handle; an unfinished staging directory stays on disk. NULL is a no-op. */
void core_run_dir_destroy(core_run_dir *rd);

#endif
