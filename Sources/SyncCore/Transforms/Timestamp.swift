import Foundation

/// Parsing and printing of the date and time shapes the two APIs use, in whole seconds since 1970 UTC.
///
/// Accepted input: ISO-8601 (`2026-01-31T23:59:58Z`, `…58.123Z`, `…58+05:30`, `…58+0530`), the same with a
/// space instead of `T`, naive forms without an offset (read in the given time zone), EspoCRM's
/// `YYYY-MM-DD HH:mm[:ss]`, and epoch milliseconds as a number. Fractions of a second are dropped.
public enum Timestamp {
    /// Seconds since 1970-01-01T00:00:00Z of `text`, reading naive values in `timeZone`; nil when `text` is not a time.
    public static func parse(_ text: String, timeZone: TimeZone = .utc) -> Int64? {
        var s = Substring(text.trimmingCharacters(in: .whitespaces)).utf8[...]
        guard let (year, month, day) = parseDate(&s) else { return nil }
        var seconds = daysFromCivil(year: year, month: month, day: day) * 86_400
        if s.isEmpty {
            return seconds - Int64(offset(of: timeZone, atLocal: seconds))
        }
        guard let sep = s.first, sep == UInt8(ascii: "T") || sep == UInt8(ascii: " ") || sep == UInt8(ascii: "t") else {
            return nil
        }
        s = s.dropFirst()
        guard let hour = digits(&s, 2), s.popFirst() == UInt8(ascii: ":"), let minute = digits(&s, 2),
              hour < 24, minute < 60 else { return nil }
        var second = 0
        if s.first == UInt8(ascii: ":") {
            s = s.dropFirst()
            guard let sec = digits(&s, 2), sec <= 60 else { return nil }
            second = min(sec, 59)
            if s.first == UInt8(ascii: ".") || s.first == UInt8(ascii: ",") {
                s = s.dropFirst()
                let fraction = s.prefix { $0 >= 48 && $0 <= 57 }
                guard !fraction.isEmpty else { return nil }
                s = s.dropFirst(fraction.count)
            }
        }
        seconds += Int64(hour * 3600 + minute * 60 + second)
        if s.isEmpty {
            return seconds - Int64(offset(of: timeZone, atLocal: seconds))
        }
        if s.first == UInt8(ascii: "Z") || s.first == UInt8(ascii: "z") {
            return s.count == 1 ? seconds : nil
        }
        guard let sign = s.popFirst(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"),
              let oh = digits(&s, 2) else { return nil }
        if s.first == UInt8(ascii: ":") { s = s.dropFirst() }
        let om = s.isEmpty ? 0 : digits(&s, 2)
        guard let om, s.isEmpty, oh < 24, om < 60 else { return nil }
        let off = Int64(oh * 3600 + om * 60)
        return sign == UInt8(ascii: "+") ? seconds - off : seconds + off
    }

    /// The calendar date `YYYY-MM-DD` of `text` in `timeZone`: a date stays as written, a time is converted.
    public static func parseDay(_ text: String, timeZone: TimeZone = .utc) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        var s = Substring(trimmed).utf8[...]
        if let (y, m, d) = parseDate(&s), s.isEmpty {
            return formatDay(year: y, month: m, day: d)
        }
        guard let seconds = parse(trimmed, timeZone: timeZone) else { return nil }
        let local = seconds + Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds))))
        let (y, m, d) = civilFromDays(floorDiv(local, 86_400))
        return formatDay(year: y, month: m, day: d)
    }

    /// `2026-01-31T23:59:58Z`: the canonical form of an instant.
    public static func iso8601(_ seconds: Int64) -> String {
        let (date, time) = split(seconds)
        return "\(date)T\(time)Z"
    }

    /// `2026-01-31 23:59:58` in `timeZone`: EspoCRM's form when the zone is UTC.
    public static func naive(_ seconds: Int64, timeZone: TimeZone = .utc) -> String {
        let local = seconds + Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds))))
        let (date, time) = split(local)
        return "\(date) \(time)"
    }

    // MARK: - Civil calendar (proleptic Gregorian, Howard Hinnant's algorithms)

    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = floorDiv(y, 400)
        let yoe = y - era * 400
        let mp = Int64((month + 9) % 12)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ days: Int64) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return (Int(y), Int(m), Int(d))
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }

    private static func split(_ seconds: Int64) -> (String, String) {
        let days = floorDiv(seconds, 86_400)
        let rest = Int(seconds - days * 86_400)
        let (y, m, d) = civilFromDays(days)
        return (formatDay(year: y, month: m, day: d),
                "\(pad(rest / 3600)):\(pad(rest / 60 % 60)):\(pad(rest % 60))")
    }

    private static func formatDay(year: Int, month: Int, day: Int) -> String {
        let y = String(year)
        return String(repeating: "0", count: max(0, 4 - y.count)) + y + "-" + pad(month) + "-" + pad(day)
    }

    private static func pad(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }

    private static func parseDate(_ s: inout Substring.UTF8View.SubSequence) -> (Int, Int, Int)? {
        guard let year = digits(&s, 4), s.popFirst() == UInt8(ascii: "-"),
              let month = digits(&s, 2), s.popFirst() == UInt8(ascii: "-"),
              let day = digits(&s, 2), (1...12).contains(month), day >= 1,
              day <= daysIn(month: month, year: year) else { return nil }
        return (year, month, day)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private static func digits(_ s: inout Substring.UTF8View.SubSequence, _ n: Int) -> Int? {
        var value = 0
        for _ in 0..<n {
            guard let c = s.first, c >= 48, c <= 57 else { return nil }
            value = value * 10 + Int(c - 48)
            s = s.dropFirst()
        }
        return value
    }

    /// The zone's offset for a wall-clock time (seconds since epoch as if the wall clock were UTC).
    private static func offset(of zone: TimeZone, atLocal local: Int64) -> Int {
        if zone.identifier == "UTC" || zone.identifier == "GMT" { return 0 }
        let guess = zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(local)))
        return zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(local - Int64(guess))))
    }
}

extension TimeZone {
    /// Coordinated Universal Time.
    public static let utc = TimeZone(identifier: "UTC")!
}
