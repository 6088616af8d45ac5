import Transport

/// An OAuth scope (or Private Integration Token permission) of GHL API v2, as `oauth/Scopes.md` and the
/// `security` of each operation name it.
public enum GHLScope: String, Sendable, Hashable, CaseIterable, Comparable {
    case contactsReadonly = "contacts.readonly"
    case contactsWrite = "contacts.write"
    case businessesReadonly = "businesses.readonly"
    case businessesWrite = "businesses.write"
    case calendarsReadonly = "calendars.readonly"
    case eventsReadonly = "calendars/events.readonly"
    case eventsWrite = "calendars/events.write"
    case locationsReadonly = "locations.readonly"
    case customFieldsReadonly = "locations/customFields.readonly"
    case tasksReadonly = "locations/tasks.readonly"

    /// Whether the scope lets a token change data (a `.write` scope).
    public var isWrite: Bool { rawValue.hasSuffix(".write") }

    /// The scopes of a token's `scope` answer (space-separated; commas tolerated), unknown ones left out.
    public static func parse(_ text: String) -> Set<GHLScope> {
        Set(text.split(whereSeparator: { $0 == " " || $0 == "," }).compactMap { GHLScope(rawValue: String($0)) })
    }

    public static func < (a: GHLScope, b: GHLScope) -> Bool { a.rawValue < b.rawValue }
}

/// What asking the server about one scope found.
public enum ScopeProbe: Sendable {
    case granted
    /// The server refused the call for the token's scopes; its message.
    case refused(String)
    /// The call failed for another reason (unreachable, token rejected…), so nothing is known.
    case failed(APIError)
}
