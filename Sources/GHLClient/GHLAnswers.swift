import SyncCore
import Transport

/// What GHL's answers say beside their data: error messages, trace ids and rate-limit headers.
public enum GHLAnswers {
    /// The message and `traceId` of a failed answer. `message` is a string (400, 401) or an array
    /// of strings (422); the trace id comes from the body or, failing that, a header.
    public static let describe: @Sendable (Response) -> (message: String, traceId: String?) = { response in
        let json = try? response.json()
        var message: String
        switch json?["message"] {
        case .string(let text)?: message = text
        case .array(let items)?: message = items.map { $0.stringValue ?? $0.serialized() }.joined(separator: "; ")
        default:
            let text = response.text.trimmingCharacters(in: .whitespacesAndNewlines)
            message = text.isEmpty ? "HTTP \(response.status)" : String(text.prefix(300))
        }
        if let error = json?["error"]?.stringValue, !message.contains(error), json?["message"] == nil {
            message = error
        }
        let trace = json?["traceId"]?.stringValue ?? response.header("traceid") ?? response.header("x-trace-id")
        return (message, trace)
    }

    /// The `X-RateLimit-*` headers of an answer (names read case-insensitively); nil when it has none.
    public static let quota: @Sendable (Response) -> Quota? = { response in
        func int(_ name: String) -> Int? { response.header(name).flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } }
        let max = int("X-RateLimit-Max")
        let remaining = int("X-RateLimit-Remaining")
        let interval = int("X-RateLimit-Interval-Milliseconds").map { Duration.milliseconds($0) }
        var daily = int("X-RateLimit-Daily-Remaining")
        if daily == nil, let limit = int("X-RateLimit-Limit-Daily"), limit <= 0 { daily = 0 }
        let retryAfter = int("Retry-After").map { Duration.seconds($0) }
        if max == nil, remaining == nil, interval == nil, daily == nil, retryAfter == nil { return nil }
        return Quota(max: max, remaining: remaining, interval: interval, dailyRemaining: daily, retryAfter: retryAfter)
    }

    /// The id of the existing contact a create was refused for, when the location does not allow
    /// duplicates (`400 {message, meta: {contactId, matchingField}}`).
    public static func duplicateContactId(_ response: Response?) -> String? {
        guard let response, let json = try? response.json() else { return nil }
        return json["meta"]?["contactId"]?.stringValue
    }
}
