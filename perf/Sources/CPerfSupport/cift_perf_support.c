// Everything in CPerfSupport is static inline in the header; this file only gives
// the target a translation unit.
#include "cift_perf_support.h"
