#ifndef CIFT_FUZZER_DRIVER_H
#define CIFT_FUZZER_DRIVER_H

/// Runs libFuzzer's driver (its command line, corpus, mutations) over the target's
/// LLVMFuzzerTestOneInput. Every fuzz target's entry point calls it: SwiftPM links a
/// Linux executable with `main` aliased to `<Target>_main`, so libFuzzer's own `main`
/// is never pulled from its archive and the target must start the driver itself.
int cift_fuzzer_run(int argc, char **argv);

#endif
