import CCiftSystem

/// CRC-32C (Castagnoli): reflected polynomial 0x82F63B78, initial value and
/// final XOR 0xFFFFFFFF; the check value of "123456789" is 0xE3069283.
/// Computed with the SSE4.2 `crc32` instruction when the CPU has it (checked
/// at run time), else with a 256-entry table.
public enum CRC32C {
    /// The CRC of the bytes already covered by `crc` (0 for none) followed by
    /// `bytes`. Corresponds to `cift_crc32c_extend`.
    @inline(__always)
    public static func checksum(_ bytes: UnsafeRawBufferPointer, extending crc: UInt32 = 0) -> UInt32 {
        cift_crc32c_extend(crc, bytes.baseAddress, bytes.count)
    }

    /// The same with the table only. Corresponds to `cift_crc32c_extend_table`.
    public static func tableChecksum(_ bytes: UnsafeRawBufferPointer, extending crc: UInt32 = 0) -> UInt32 {
        cift_crc32c_extend_table(crc, bytes.baseAddress, bytes.count)
    }

    /// Whether `checksum` uses the SSE4.2 instruction on this CPU.
    /// Corresponds to `cift_crc32c_hardware_available`.
    public static var isHardwareAccelerated: Bool {
        cift_crc32c_hardware_available() != 0
    }
}
