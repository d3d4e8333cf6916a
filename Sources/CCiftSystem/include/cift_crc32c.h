// CRC-32C (Castagnoli) for the journal's record and header checksums.
//
// Parameters (the iSCSI / ext4 / RFC 3720 CRC): reflected polynomial
// 0x82F63B78, initial value 0xFFFFFFFF, final XOR 0xFFFFFFFF. The check value
// of the nine ASCII bytes "123456789" is 0xE3069283.
//
// Every function takes the CRC of the bytes before `data` (0 for none) and
// returns the CRC of those bytes followed by `data`, like zlib's crc32():
// cift_crc32c_extend(cift_crc32c_extend(0, a, n), b, m) equals the CRC of a
// followed by b.
#ifndef CIFT_CRC32C_H
#define CIFT_CRC32C_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Extends `crc` over `length` bytes at `data`, with the SSE4.2 `crc32`
/// instruction when the CPU has it (checked at run time), else with a table.
uint32_t cift_crc32c_extend(uint32_t crc, const void *data, size_t length);

/// The same, always with the 256-entry table (portable; used for tests and on
/// CPUs without SSE4.2).
uint32_t cift_crc32c_extend_table(uint32_t crc, const void *data, size_t length);

/// The same, always with the SSE4.2 instruction. Only call it when
/// cift_crc32c_hardware_available() returns 1; elsewhere it returns the table
/// result.
uint32_t cift_crc32c_extend_hardware(uint32_t crc, const void *data, size_t length);

/// 1 when this CPU executes the SSE4.2 `crc32` instruction, else 0.
int cift_crc32c_hardware_available(void);

#ifdef __cplusplus
}
#endif

#endif
