#include "quants_internal.h"
void lk_register_avx512(void) {}
