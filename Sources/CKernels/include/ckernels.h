// Innermost loops of Lathe's kernels in C (see Sources/Kernels for the Swift API around them).
#ifndef LATHE_CKERNELS_H
#define LATHE_CKERNELS_H
#include <stdint.h>
#include <stddef.h>
#endif
