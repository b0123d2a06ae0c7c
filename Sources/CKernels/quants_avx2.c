#include "quants_internal.h"
void lk_register_avx2(void) {}
