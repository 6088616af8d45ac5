import Emulation
import SyncCore

/// EspoCRM's answers: JSON bodies, and errors as an empty body with `X-Status-Reason` (FACTS §9).
enum Answer {
    /// An error without a body; the reason goes in `X-Status-Reason`.
    static func error(_ status: Int, _ reason: String) -> ServedResponse {
        ServedResponse(status: status, headers: [(name: "X-Status-Reason", value: reason)])
    }

    /// The page nginx in front of a site answers with when it turns a request away itself (a 429 from
    /// `limit_req`, a 502 when PHP-FPM is gone): HTML, no EspoCRM headers.
    static func proxyPage(_ status: Int, _ title: String) -> ServedResponse {
        let page = "<html>\r\n<head><title>\(status) \(title)</title></head>\r\n<body>\r\n"
            + "<center><h1>\(status) \(title)</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
        return ServedResponse(status: status, headers: [(name: "Content-Type", value: "text/html")], body: Array(page.utf8))
    }

    /// A JSON answer; `reason` adds `X-Status-Reason` (409 duplicate/modified, 400 validation).
    static func json(_ status: Int, _ body: JSON, reason: String? = nil) -> ServedResponse {
        .json(status, body, headers: reason.map { [(name: "X-Status-Reason", value: $0)] } ?? [])
    }

    /// 400 for a field that fails validation: `type` is `required`, `valid`, `emailAddress`, `maxLength`…
    static func validation(_ entity: String, field: String, type: String) -> ServedResponse {
        let body: JSON = [
            "messageTranslation": [
                "label": "validationFailure", "scope": nil,
                "data": ["field": .string(field), "type": .string(type)],
            ],
        ]
        return json(400, body, reason: "Field validation failure; entityType: \(entity), field: \(field), type: \(type).")
    }

    static func notFound(_ id: String) -> ServedResponse { error(404, "Record \(id) not found.") }
}

/// A validation or access failure raised while a write is checked; becomes the answer as it is.
struct Refusal: Error {
    var answer: ServedResponse
    init(_ answer: ServedResponse) { self.answer = answer }
}
