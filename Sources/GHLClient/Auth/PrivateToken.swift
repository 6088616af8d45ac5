import Transport

/// A Private Integration Token of a sub-account: a static Bearer token that never refreshes.
public struct PrivateToken: Credentials, CustomStringConvertible {
    private let token: String

    public init(_ token: String) { self.token = token }

    public func headers(for request: Request) async throws(APIError) -> [(name: String, value: String)] {
        [(name: "Authorization", value: "Bearer \(token)")]
    }

    public var description: String { "PrivateToken(<redacted>)" }
}
