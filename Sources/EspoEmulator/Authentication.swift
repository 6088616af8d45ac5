import Crypto
import Emulation
import Foundation

extension EspoEmulator {
    /// Whether the request carries valid credentials, checked as EspoCRM's `Auth` does (FACTS §2):
    /// `Espo-Authorization` or Basic for regular users, else `X-Hmac-Authorization`, else `X-Api-Key`.
    func authenticate(_ request: ServedRequest) -> Bool { caller(request) != nil }

    /// The user the request's credentials belong to; nil when they are missing or wrong. API-key
    /// and HMAC callers are the one API user; Basic callers are the regular user they name.
    func caller(_ request: ServedRequest) -> Caller? {
        if let espo = request.header("Espo-Authorization") {
            return checkUser(Data(base64Encoded: espo))
        }
        if let authorization = request.header("Authorization"), authorization.lowercased().hasPrefix("basic ") {
            return checkUser(Data(base64Encoded: String(authorization.dropFirst(6))))
        }
        if let hmac = request.header("X-Hmac-Authorization") {
            return checkHMAC(hmac, request) ? apiCaller : nil
        }
        if let key = request.header("X-Api-Key") {
            return configuration.apiKeys.contains { constantTimeEqual(Array($0.utf8), Array(key.utf8)) } ? apiCaller : nil
        }
        return nil
    }

    private var apiCaller: Caller {
        store.withLock { Caller(id: $0.userId, userName: $0.userName, type: "api") }
    }

    private func checkUser(_ decoded: Data?) -> Caller? {
        guard let decoded, let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":") else {
            return nil
        }
        let name = String(text[..<colon]), password = String(text[text.index(after: colon)...])
        guard let expected = configuration.users[name], constantTimeEqual(Array(expected.utf8), Array(password.utf8)) else {
            return nil
        }
        // A stable 17-hex id per user name, in the shape of EspoCRM's ids.
        let hash = name.utf8.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }
        return Caller(id: hex(hash, width: 16) + "1", userName: name, type: "regular")
    }

    /// `base64(apiKey + ":" + hex(HMAC-SHA256(secret, METHOD + " " + path after /api/v1)))`; the raw
    /// binary digest in place of the hex one is also accepted, as since 8.4.1.
    private func checkHMAC(_ header: String, _ request: ServedRequest) -> Bool {
        guard let decoded = Data(base64Encoded: header) else { return false }
        let bytes = Array(decoded)
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return false }
        let apiKey = String(decoding: bytes[..<colon], as: UTF8.self)
        let signature = Array(bytes[(colon + 1)...])
        guard let secret = configuration.hmacKeys[apiKey] else { return false }
        let resource = String(request.path.dropFirst(pathPrefix.count))
        let toSign = request.method.uppercased() + " " + resource
        let mac = Array(HMAC<SHA256>.authenticationCode(for: Data(toSign.utf8), using: SymmetricKey(data: Data(secret.utf8))))
        let hex = Array(mac.map { String(format: "%02x", $0) }.joined().utf8)
        return constantTimeEqual(hex, signature) || constantTimeEqual(mac, signature)
    }

    private func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}

/// Who sent a request: the user `GET App/user` describes.
struct Caller: Sendable {
    var id: String
    var userName: String
    /// `api` or `regular` (EspoCRM's user types).
    var type: String
}
