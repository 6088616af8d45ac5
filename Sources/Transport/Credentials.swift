/// Authorizes requests to one API: a static key, a signature per request, or OAuth tokens.
public protocol Credentials: Sendable {
    /// The headers that authorize `request`.
    func headers(for request: Request) async throws(APIError) -> [(name: String, value: String)]
    /// Called once after a 401. Returns true when fresh credentials are ready and the call should be
    /// sent again; false when there is nothing to renew.
    func renew(after response: Response) async throws(APIError) -> Bool
    /// As `renew(after:)`, told which authorization headers the refused request carried, so that
    /// credentials renewed meanwhile by another request are not renewed a second time.
    func renew(after response: Response, sent: [(name: String, value: String)]) async throws(APIError) -> Bool
}

extension Credentials {
    public func renew(after response: Response) async throws(APIError) -> Bool { false }

    public func renew(after response: Response, sent: [(name: String, value: String)]) async throws(APIError) -> Bool {
        try await renew(after: response)
    }
}
