#include <stdio.h>
int main(void) { puts("pinnsolve " PINNSOLVE_VERSION); return 0; }
