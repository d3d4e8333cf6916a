import GatewayCore

/// Writes the fills ring's records (specs/shm-ring.md, "Fills ring records") into a
/// 64-byte slot; the ring itself writes bytes 0–7 (the sequence).
enum FillRecord {
    enum Kind: UInt8 {
        case acknowledgement = 1, rejection = 2, order = 3, fill = 4, position = 5
    }

    /// A record as values, so that it can wait in the backlog when the ring is full.
    struct Values {
        var kind: Kind
        var byte9: UInt8 = 0
        var byte10: UInt8 = 0
        var byte11: UInt8 = 0
        var reason: UInt16 = 0
        var modelID: UInt32 = 0
        var symbol: UInt64 = 0x2020_2020_2020_2020
        var value24: Int64 = 0
        var price32: Int64 = 0
        var value40: UInt64 = 0
        var tag: UInt64 = 0
        var time: Int64 = 0

        init(kind: Kind) { self.kind = kind }

        /// The symbol name as the 8-byte field (ASCII, space-padded).
        mutating func setSymbol(_ name: [UInt8]) {
            var field: UInt64 = 0x2020_2020_2020_2020
            for (i, byte) in name.prefix(8).enumerated() {
                field &= ~(UInt64(0xFF) << UInt64(8 * i))
                field |= UInt64(byte) << UInt64(8 * i)
            }
            symbol = field
        }

        func write(into slot: UnsafeMutableRawBufferPointer) {
            slot[8] = kind.rawValue
            if kind == .rejection {
                slot[9] = byte9
                slot.storeBytes(of: reason.littleEndian, toByteOffset: 10, as: UInt16.self)
            } else {
                slot[9] = byte9
                slot[10] = byte10
                slot[11] = byte11
            }
            slot.storeBytes(of: modelID.littleEndian, toByteOffset: 12, as: UInt32.self)
            slot.storeBytes(of: symbol.littleEndian, toByteOffset: 16, as: UInt64.self)
            slot.storeBytes(of: value24.littleEndian, toByteOffset: 24, as: Int64.self)
            slot.storeBytes(of: price32.littleEndian, toByteOffset: 32, as: Int64.self)
            slot.storeBytes(of: value40.littleEndian, toByteOffset: 40, as: UInt64.self)
            slot.storeBytes(of: tag.littleEndian, toByteOffset: 48, as: UInt64.self)
            slot.storeBytes(of: time.littleEndian, toByteOffset: 56, as: Int64.self)
        }
    }
}
