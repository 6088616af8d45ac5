import Foundation

extension Doctor {
    /// How far a server's clock may be off this machine's before conflicts are decided wrongly.
    static let maxSkew: TimeInterval = 60

    /// A server's `Date` header against the local clock: the measured offset either way, a failure past
    /// `maxSkew` (change times on both sides decide who wins a conflict).
    func clockCheck(_ id: String, _ name: String, server: String, _ sample: ClockSample) -> DoctorCheck {
        guard case .measured(let serverTime, let local) = sample else {
            if case .missing(let reason) = sample { return .skip(id, name, because: reason) }
            return .skip(id, name, because: "no answer")
        }
        // The header counts whole seconds: the server's time lies in [header, header + 1 s).
        let offset = (serverTime.timeIntervalSince(local) + 0.5).rounded()
        let said = abs(offset) <= 1 ? "is within a second of this machine's (the header counts whole seconds)"
            : "is \(Int(abs(offset))) s \(offset > 0 ? "ahead of" : "behind") this machine's"
        guard abs(offset) <= Self.maxSkew else {
            return .fail(id, name, "\(server)'s clock \(said) (more than \(Int(Self.maxSkew)) s): change times would decide conflicts wrongly",
                         fix: "set the clocks right: enable NTP on this machine (`timedatectl set-ntp true`)\(server == "EspoCRM" ? " and on the EspoCRM server" : "; GoHighLevel's own clock is kept by GoHighLevel")")
        }
        return .pass(id, name, "\(server)'s clock \(said); at most \(Int(Self.maxSkew)) s is allowed")
    }
}
