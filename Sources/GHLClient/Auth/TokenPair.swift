import SyncCore

/// An OAuth access token with its refresh token and expiry, as GHL's token endpoints return them.
/// Its description never shows a token.
public struct TokenPair: Sendable, Equatable, CustomStringConvertible {
    public var accessToken: String
    /// Absent on location tokens minted from a company token (`/oauth/locationToken`).
    public var refreshToken: String?
    /// Milliseconds since 1970 UTC.
    public var expiresAt: Int64
    /// `Location` or `Company`.
    public var userType: String?
    public var locationId: String?
    public var companyId: String?
    public var scope: String?

    public init(
        accessToken: String, refreshToken: String?, expiresAt: Int64, userType: String? = nil,
        locationId: String? = nil, companyId: String? = nil, scope: String? = nil
    ) {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.expiresAt = expiresAt
        self.userType = userType
        self.locationId = locationId
        self.companyId = companyId
        self.scope = scope
    }

    /// Reads a token endpoint's answer received at `now` (milliseconds since 1970 UTC).
    init?(answer: JSON, now: Int64) {
        guard let access = answer["access_token"]?.stringValue, !access.isEmpty else { return nil }
        let lifetime = answer["expires_in"]?.numberValue ?? Double(answer["expires_in"]?.stringValue ?? "") ?? 86_399
        self.init(
            accessToken: access, refreshToken: answer["refresh_token"]?.stringValue,
            expiresAt: now + Int64(lifetime * 1000), userType: answer["userType"]?.stringValue,
            locationId: answer["locationId"]?.stringValue, companyId: answer["companyId"]?.stringValue,
            scope: answer["scope"]?.stringValue)
    }

    /// The pair as stored (before sealing).
    var json: JSON {
        var object: JSONObject = ["accessToken": .string(accessToken), "expiresAt": .number(Double(expiresAt))]
        if let refreshToken { object["refreshToken"] = .string(refreshToken) }
        if let userType { object["userType"] = .string(userType) }
        if let locationId { object["locationId"] = .string(locationId) }
        if let companyId { object["companyId"] = .string(companyId) }
        if let scope { object["scope"] = .string(scope) }
        return .object(object)
    }

    init?(stored: JSON) {
        guard let access = stored["accessToken"]?.stringValue, let expiresAt = stored["expiresAt"]?.numberValue else { return nil }
        self.init(
            accessToken: access, refreshToken: stored["refreshToken"]?.stringValue, expiresAt: Int64(expiresAt),
            userType: stored["userType"]?.stringValue, locationId: stored["locationId"]?.stringValue,
            companyId: stored["companyId"]?.stringValue, scope: stored["scope"]?.stringValue)
    }

    public var description: String {
        "TokenPair(\(userType ?? "?") \(locationId ?? companyId ?? "?"), expires \(GHLDate.iso8601(milliseconds: expiresAt)), tokens <redacted>)"
    }
}
