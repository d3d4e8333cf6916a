#include <stddef.h>
#include <stdint.h>
#include "cift_fuzzer_driver.h"

// Both come from the link: the first from libFuzzer (-sanitize=fuzzer), the second from
// the fuzz target's Swift file (@_cdecl).
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int cift_fuzzer_run(int argc, char **argv) {
    return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput);
}
