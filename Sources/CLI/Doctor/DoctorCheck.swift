/// One line of `doctor`'s report: what was checked, how it came out, and what to do about a failure.
struct DoctorCheck: Sendable, Equatable {
    enum Status: String, Sendable { case pass, fail, skip }

    /// A stable name for scripts: `config`, `ghl.scopes.contact`, `espo.access.task`, `clock.espo`…
    var id: String
    /// What a person reads: "GHL scopes for contact".
    var name: String
    var status: Status
    /// What was found (for a skip: why the check could not run). Never holds a secret.
    var detail: String
    /// For a failure: what to set, where, which permission or scope to grant.
    var fix: String?

    static func pass(_ id: String, _ name: String, _ detail: String) -> DoctorCheck {
        DoctorCheck(id: id, name: name, status: .pass, detail: detail, fix: nil)
    }

    static func fail(_ id: String, _ name: String, _ detail: String, fix: String) -> DoctorCheck {
        DoctorCheck(id: id, name: name, status: .fail, detail: detail, fix: fix)
    }

    /// A check that cannot run because an earlier one failed (or gave it nothing to check).
    static func skip(_ id: String, _ name: String, because reason: String) -> DoctorCheck {
        DoctorCheck(id: id, name: name, status: .skip, detail: reason, fix: nil)
    }
}
