import SyncCore

/// An HTTP method the two APIs use.
public enum HTTPMethod: String, Sendable, Hashable {
    case get = "GET", post = "POST", put = "PUT", patch = "PATCH", delete = "DELETE"
}

/// One API call, described before it is sent: the transport adds the base URL, credentials and pacing.
public struct Request: Sendable {
    /// What travels in the body.
    public enum Body: Sendable, Equatable {
        case json(JSON)
        /// `application/x-www-form-urlencoded` pairs, in order.
        case form([FormField])
    }

    /// One name/value pair of a query string or a form body.
    public struct FormField: Sendable, Equatable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) { self.name = name; self.value = value }
    }

    public var method: HTTPMethod
    /// The path below the base URL, already percent-encoded (build it with `Request.path(_:)`).
    public var path: String
    public var query: [FormField]
    public var headers: [(name: String, value: String)]
    public var body: Body?
    /// The endpoint as the spec names it (`GET /contacts/{contactId}`), for logs, errors and counts.
    public var endpoint: String
    /// Whether sending the request twice does no more than sending it once; only such requests are
    /// retried after their answer was lost. Defaults to every method but POST.
    public var isIdempotent: Bool

    public init(
        _ method: HTTPMethod, _ path: String, endpoint: String? = nil, query: [FormField] = [],
        headers: [(name: String, value: String)] = [], body: Body? = nil, isIdempotent: Bool? = nil
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.endpoint = endpoint ?? "\(method.rawValue) \(path)"
        self.isIdempotent = isIdempotent ?? (method != .post)
    }

    /// A path from segments, each percent-encoded (`/contacts/` + id): `path("contacts", id)`.
    public static func path(_ segments: String...) -> String {
        "/" + segments.map(PercentEncoding.encode).joined(separator: "/")
    }

    /// The first value of a header, by case-insensitive name.
    public func header(_ name: String) -> String? { headers.value(of: name) }

    /// The query string, every value percent-encoded (`+` as `%2B`, space as `%20`, brackets too).
    public var encodedQuery: String {
        query.map { PercentEncoding.encode($0.name) + "=" + PercentEncoding.encode($0.value) }
            .joined(separator: "&")
    }
}

/// Strict percent-encoding: everything but RFC 3986's unreserved characters is escaped.
///
/// PHP and many servers read `+` in a query as a space, and Foundation leaves `+` alone, so an E.164
/// phone or an `a+tag@x.com` address would arrive changed; here `+` always becomes `%2B`.
public enum PercentEncoding {
    public static func encode(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + hex(byte >> 4) + hex(byte & 0xF)
            }
        }
        return out
    }

    /// Decodes `%XX` escapes; with `plusIsSpace` (form and PHP query style) a `+` becomes a space.
    public static func decode(_ text: String, plusIsSpace: Bool = false) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "%"), iterator.count >= 2,
                let high = nibble(iterator[iterator.startIndex]),
                let low = nibble(iterator[iterator.startIndex + 1])
            {
                bytes.append(high << 4 | low)
                iterator.removeFirst(2)
            } else if byte == UInt8(ascii: "+"), plusIsSpace {
                bytes.append(UInt8(ascii: " "))
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Splits `a=1&b=2` into decoded pairs, in order.
    public static func decodeQuery(_ query: String, plusIsSpace: Bool = false) -> [Request.FormField] {
        query.split(separator: "&", omittingEmptySubsequences: true).map { part in
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = decode(String(pieces[0]), plusIsSpace: plusIsSpace)
            let value = pieces.count > 1 ? decode(String(pieces[1]), plusIsSpace: plusIsSpace) : ""
            return Request.FormField(name, value)
        }
    }

    private static func hex(_ nibble: UInt8) -> String {
        String(UnicodeScalar(nibble < 10 ? nibble + 48 : nibble + 55))
    }

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - 48
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - 55
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - 87
        default: nil
        }
    }
}
