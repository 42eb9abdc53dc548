/* Wall-clock time for timings and progress (never for results: runs stay reproducible). */
#ifndef PINNSOLVE_CORE_CLOCK_H
#define PINNSOLVE_CORE_CLOCK_H

/* Seconds on a monotonic clock with an arbitrary origin. */
double core_clock_seconds(void);

#endif
