/* Version strings of pinnsolve and the libraries it links, for --version and summary.json. */
#ifndef PINNSOLVE_PINN_VERSION_H
#define PINNSOLVE_PINN_VERSION_H

const char *pinn_version(void);
/* "gsl 2.7.1, sundials 6.4.1, openblas 0.3.21 ..." (static buffer). */
const char *pinn_library_versions(void);

#endif
