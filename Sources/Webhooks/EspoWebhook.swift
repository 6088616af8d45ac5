import Crypto
import SyncCore

/// One EspoCRM webhook request judged from its raw bytes: the `Signature` with the subscription's
/// secret first, then the JSON array of up to 50 items, each a hint about one record.
public enum EspoWebhook {
    /// The verdict on `body` posted to subscription `name`, whose registration (nil: unknown) says
    /// which webhook id and secret sign it.
    public static func verdict(
        body: [UInt8], signature: String?, subscriptionName name: String, registration: EspoSubscription.Registration?
    ) -> WebhookVerdict {
        guard let registration, registration.subscription.name == name else {
            return .unauthenticated(reason: "no subscription \(name) is known to the state file (run `espo-ghl-sync webhooks subscribe`)")
        }
        if let failure = EspoSignature.failure(
            body: body, header: signature, webhookId: registration.webhookId, secretKey: registration.secretKey) {
            return .unauthenticated(reason: failure)
        }
        guard let json = try? JSON(parsing: body), case .array(let items) = json else {
            return .malformed(reason: "the body is not a JSON array")
        }
        let subscription = registration.subscription
        var events: [ReceivedEvent] = []
        for item in items {
            guard case .object(let fields) = item, let id = fields["id"]?.stringValue, !id.isEmpty else { continue }
            var parent: String?
            if fields["parentType"]?.stringValue == "Contact", let parentId = fields["parentId"]?.stringValue, !parentId.isEmpty {
                parent = parentId
            }
            let hint = Hint(side: .espo, object: subscription.entity, id: id, parentId: parent,
                            deleted: subscription.action == .delete, event: subscription.event)
            let digest = EspoSignature.hex(SHA256.hash(data: item.serializedBytes(sortedKeys: true)))
            events.append(ReceivedEvent(hint: hint, dedupeKey: "espo:\(name):\(id):\(digest)"))
        }
        return .accepted(events)
    }
}
