/* Whole-file writes that either land completely or not at all.
 *
 * Output goes to a sibling temporary file "PATH.tmp.<pid>" in the same directory (so the final
 * rename stays on one filesystem and is atomic); commit flushes it to disk and renames it onto
 * PATH. A reader therefore sees either the previous file or the complete new one, never a torn
 * write, even if the process dies midway. Every failure is recorded as
 * "cannot write 'PATH': <strerror>" (CORE_ERR_IO) and the temporary file is removed. */
#ifndef PINNSOLVE_CORE_ATOMIC_FILE_H
#define PINNSOLVE_CORE_ATOMIC_FILE_H

#include <stdio.h>

#include "core/status.h"

typedef struct core_atomic_file core_atomic_file;

/* Creates PATH.tmp.<pid> for writing. *out is NULL on failure. path: borrowed (copied). */
core_status core_atomic_file_open(core_atomic_file **out, const char *path);

/* The stream to write to (binary mode; owned by the handle, do not fclose it). */
FILE *core_atomic_file_stream(core_atomic_file *file);

/* fwrite that remembers the errno of a short write, so commit can say "No space left on device"
 * rather than a bare I/O error. Returns CORE_OK; the failure is reported by commit. */
core_status core_atomic_file_write(core_atomic_file *file, const void *data, size_t size);

/* Final path and temporary path (borrowed, valid until commit/abort). */
const char *core_atomic_file_path(const core_atomic_file *file);
const char *core_atomic_file_tmp_path(const core_atomic_file *file);

/* fflush + fsync + fclose + rename onto the final path, then frees the handle. On any failure
 * (including an earlier write error left on the stream) the temporary file is unlinked, the
 * target is left as it was, and CORE_ERR_IO is returned. The handle is freed in every case. */
core_status core_atomic_file_commit(core_atomic_file *file);

/* Discards the write: fclose + unlink the temporary file, free the handle. NULL is a no-op. */
void core_atomic_file_abort(core_atomic_file *file);

/* Writes the NUL-terminated `text` to `path` atomically. */
core_status core_write_text_file(const char *path, const char *text);

#endif
