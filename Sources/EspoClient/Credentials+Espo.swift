import Crypto
import Foundation
import Transport

extension Espo {
    /// An API user with the "API Key" method: `X-Api-Key` on every request (FACTS §2.1).
    public struct APIKey: Credentials, CustomStringConvertible {
        let key: String
        public init(_ key: String) { self.key = key }

        public func headers(for request: Request) async throws(APIError) -> [(name: String, value: String)] {
            [(name: "X-Api-Key", value: key)]
        }

        public var description: String { "EspoCRM API key (redacted)" }
    }

    /// An API user with the "HMAC" method: `X-Hmac-Authorization` signs method and path (FACTS §2.2).
    public struct HMAC: Credentials, CustomStringConvertible {
        let apiKey: String
        let secret: String
        public init(apiKey: String, secret: String) {
            self.apiKey = apiKey
            self.secret = secret
        }

        public func headers(for request: Request) async throws(APIError) -> [(name: String, value: String)] {
            [(name: "X-Hmac-Authorization", value: Self.authorization(
                apiKey: apiKey, secret: secret, method: request.method.rawValue, path: request.path))]
        }

        /// `base64(apiKey + ":" + hex(HMAC-SHA256(secret, METHOD + " " + path)))`, where `path` is the
        /// request path after `/api/v1`, with its leading slash, without the query.
        public static func authorization(apiKey: String, secret: String, method: String, path: String) -> String {
            let resource = path.hasPrefix("/") ? path : "/" + path
            let toSign = method.uppercased() + " " + resource
            let mac = Crypto.HMAC<SHA256>.authenticationCode(
                for: Data(toSign.utf8), using: SymmetricKey(data: Data(secret.utf8)))
            let hex = mac.map { String(format: "%02x", $0) }.joined()
            return Data((apiKey + ":" + hex).utf8).base64EncodedString()
        }

        public var description: String { "EspoCRM HMAC key (redacted)" }
    }

    /// A regular user's name and password as HTTP Basic auth; not recommended (FACTS §2.3).
    public struct Basic: Credentials, CustomStringConvertible {
        let username: String
        let password: String
        public init(username: String, password: String) {
            self.username = username
            self.password = password
        }

        public func headers(for request: Request) async throws(APIError) -> [(name: String, value: String)] {
            [(name: "Authorization", value: "Basic " + Data((username + ":" + password).utf8).base64EncodedString())]
        }

        public var description: String { "EspoCRM user \(username) (password redacted)" }
    }
}
