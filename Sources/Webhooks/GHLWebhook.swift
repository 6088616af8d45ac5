import Crypto
import Foundation
import SyncCore

/// One GHL webhook request judged from its raw bytes: signature first, then the envelope
/// (`timestamp` within 5 minutes of now, `locationId` the configured one), then the event as a hint
/// keyed by its `webhookId`.
public struct GHLWebhook: Sendable {
    public var keys: GHLWebhookKeys
    /// The one location the sync serves; events of any other are acknowledged and not acted on.
    public var locationId: String
    /// How far from now a `timestamp` may be, either way.
    public var window: TimeInterval

    public init(keys: GHLWebhookKeys, locationId: String, window: TimeInterval = 300) {
        self.keys = keys
        self.locationId = locationId
        self.window = window
    }

    /// The verdict on `body` signed in the given headers' values, received at `now`.
    public func verdict(body: [UInt8], ed25519Signature: String?, rsaSignature: String?, now: Date) -> WebhookVerdict {
        if let failure = GHLSignature.failure(body: body, ed25519Signature: ed25519Signature, rsaSignature: rsaSignature, keys: keys) {
            return .unauthenticated(reason: failure)
        }
        guard let json = try? JSON(parsing: body), case .object(let payload) = json else {
            return .malformed(reason: "the body is not a JSON object")
        }
        guard let type = payload["type"]?.stringValue else { return .malformed(reason: "the body has no `type`") }
        guard let text = payload["timestamp"]?.stringValue, let seconds = Timestamp.parse(text) else {
            return .malformed(reason: "the body has no ISO-8601 `timestamp`, so its age cannot be checked")
        }
        let age = now.timeIntervalSince1970 - Double(seconds)
        if age > window { return .stale(reason: "\(type) timestamp \(text) is \(Int(age)) s old, more than \(Int(window)) s") }
        if -age > window { return .stale(reason: "\(type) timestamp \(text) is \(Int(-age)) s in the future, more than \(Int(window)) s") }
        if let location = payload["locationId"]?.stringValue, location != locationId {
            return .ignored(reason: "\(type) is for location \(location), not the configured \(locationId)")
        }
        let hint: Hint?
        do { hint = try GHLEvent.hint(type: type, payload: payload) } catch {
            return .malformed(reason: "\(type) has no `\(error.name)`")
        }
        guard let hint else { return .ignored(reason: "\(type) is not an event the sync uses") }
        guard payload["locationId"]?.stringValue != nil else {
            return .malformed(reason: "\(type) has no `locationId`")
        }
        return .accepted([ReceivedEvent(hint: hint, dedupeKey: "ghl:" + Self.deliveryId(payload, body: body))])
    }

    /// The `webhookId`; without one, the body's SHA-256, so that at least a byte-identical replay is a duplicate.
    static func deliveryId(_ payload: JSONObject, body: [UInt8]) -> String {
        if let id = payload["webhookId"]?.stringValue, !id.isEmpty { return id }
        return "sha256:" + SHA256.hash(data: body).map { String(format: "%02x", $0) }.joined()
    }
}
