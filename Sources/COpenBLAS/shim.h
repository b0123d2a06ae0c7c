// OpenBLAS's CBLAS interface (Debian: libopenblas-dev). The Trainer uses sgemm/dgemm for every large product
// (measured faster than Kernels' f32 matmul on the training shapes; see Sources/Trainer/GEMM.swift).
#include <cblas.h>
