import GatewayCore

/// FIX `UTCTimestamp` (`YYYYMMDD-HH:MM:SS[.sss]`) to and from ``GatewayCore/Timestamp``,
/// in place, without allocating and without the C library's calendar functions.
///
/// The calendar arithmetic is the proleptic Gregorian day count of Howard Hinnant's
/// `days_from_civil` / `civil_from_days`. Seconds 60 (a leap second, which FIX allows)
/// is accepted and lands on the first second of the next minute.
public enum FIXUTCTimestamp {
    /// Bytes written by ``format(_:into:)``: `YYYYMMDD-HH:MM:SS.sss`.
    public static let millisecondsLength = 21
    /// `YYYYMMDD-HH:MM:SS`.
    public static let secondsLength = 17

    /// Parses a timestamp; nil when the layout, a digit or a range (month 1–12, day
    /// within the month, hour 0–23, minute 0–59, second 0–60) is wrong, or when the
    /// time lies outside what a ``GatewayCore/Timestamp`` holds (nanoseconds in an
    /// `Int64`: 1677-09-21 to 2262-04-11). That last check is what keeps a client's
    /// `52=99991231-23:59:59` a "value incorrect" reject instead of an overflow trap.
    ///
    /// The fraction has 3, 6 or 9 digits: milliseconds are FIX 4.4's; microseconds and
    /// nanoseconds are what later FIX versions allow and what many engines send on 4.4
    /// sessions too (QuickFIX reads them). Other lengths are not a FIX timestamp.
    @inlinable
    public static func parse(_ b: UnsafeRawBufferPointer) -> Timestamp? {
        switch b.count {
        case secondsLength, secondsLength + 4, secondsLength + 7, secondsLength + 10: break
        default: return nil
        }
        guard b[8] == UInt8(ascii: "-"), b[11] == UInt8(ascii: ":"), b[14] == UInt8(ascii: ":") else { return nil }
        guard let year = digits(b, 0, 4), let month = digits(b, 4, 2), let day = digits(b, 6, 2),
            let hour = digits(b, 9, 2), let minute = digits(b, 12, 2), let second = digits(b, 15, 2)
        else { return nil }
        var fraction = 0
        if b.count > secondsLength {
            let fractionDigits = b.count - secondsLength - 1
            guard b[17] == UInt8(ascii: "."), let f = digits(b, 18, fractionDigits) else { return nil }
            fraction = f
            for _ in fractionDigits..<9 { fraction *= 10 }
        }
        guard month >= 1, month <= 12, day >= 1, day <= daysInMonth(year: year, month: month),
            hour <= 23, minute <= 59, second <= 60
        else { return nil }
        // Years 0000–9999 give at most ±4e11 seconds: no overflow before the multiply,
        // which is the one step that can leave Int64.
        let days = Int64(daysFromCivil(year: year, month: month, day: day))
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        let (wholeNanoseconds, overflowed) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflowed else { return nil }
        let (nanoseconds, overflowedAdding) = wholeNanoseconds.addingReportingOverflow(Int64(fraction))
        guard !overflowedAdding else { return nil }
        return Timestamp(rawValue: nanoseconds)
    }

    /// Writes `YYYYMMDD-HH:MM:SS.sss` (21 bytes, milliseconds truncated) at `p`.
    /// The caller passes a time within years 0000–9999 (FIX has four year digits);
    /// other years keep only their last four digits.
    @inlinable
    public static func format(_ timestamp: Timestamp, into p: UnsafeMutableRawPointer) {
        let ns = timestamp.rawValue
        var days = ns / Timestamp.nanosecondsPerDay
        var inDay = ns % Timestamp.nanosecondsPerDay
        if inDay < 0 {
            inDay += Timestamp.nanosecondsPerDay
            days -= 1
        }
        let (year, month, day) = civilFromDays(Int(days))
        let secondsOfDay = Int(inDay / 1_000_000_000)
        let millis = Int((inDay % 1_000_000_000) / 1_000_000)
        put(year, 4, p, 0)
        put(month, 2, p, 4)
        put(day, 2, p, 6)
        p.storeBytes(of: UInt8(ascii: "-"), toByteOffset: 8, as: UInt8.self)
        put(secondsOfDay / 3600, 2, p, 9)
        p.storeBytes(of: UInt8(ascii: ":"), toByteOffset: 11, as: UInt8.self)
        put(secondsOfDay / 60 % 60, 2, p, 12)
        p.storeBytes(of: UInt8(ascii: ":"), toByteOffset: 14, as: UInt8.self)
        put(secondsOfDay % 60, 2, p, 15)
        p.storeBytes(of: UInt8(ascii: "."), toByteOffset: 17, as: UInt8.self)
        put(millis, 3, p, 18)
    }

    @inlinable
    static func digits(_ b: UnsafeRawBufferPointer, _ offset: Int, _ count: Int) -> Int? {
        var v = 0
        for i in offset..<(offset + count) {
            let d = b[i]
            guard d >= UInt8(ascii: "0"), d <= UInt8(ascii: "9") else { return nil }
            v = v * 10 + Int(d &- 48)
        }
        return v
    }

    @inlinable
    static func put(_ value: Int, _ width: Int, _ p: UnsafeMutableRawPointer, _ offset: Int) {
        var v = value
        var i = offset + width - 1
        while i >= offset {
            p.storeBytes(of: UInt8(48 + v % 10), toByteOffset: i, as: UInt8.self)
            v /= 10
            i -= 1
        }
    }

    @inlinable
    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    @inlinable
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01.
    @inlinable
    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
