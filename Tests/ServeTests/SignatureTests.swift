import Crypto
import Foundation
import SyncCore
import Testing
import Webhooks
import _CryptoExtras

@Suite struct SignatureTests {
    typealias F = WebhookFixtures

    // MARK: GHL

    @Test func publishedKeysParseAndTheRSAKeyIs4096Bits() throws {
        let keys = try GHLWebhookKeys(ed25519: nil, rsa: nil)
        #expect(keys.rsa.keySizeInBits == 4096)
        #expect(keys.ed25519.rawRepresentation.count == 32)
    }

    @Test func validEd25519IsAccepted() {
        let body = F.ghlBody("ContactUpdate", id: "c9", webhookId: "w1")
        let verdict = F.webhook.verdict(body: body, ed25519Signature: F.ed25519Signature(body), rsaSignature: nil, now: Date())
        #expect(verdict == .accepted([ReceivedEvent(
            hint: Hint(side: .ghl, object: "contact", id: "c9", event: "ContactUpdate"), dedupeKey: "ghl:w1")]))
    }

    @Test func validRSAAloneIsAccepted() {
        let body = F.ghlBody("ContactCreate", id: "c2", webhookId: "w2")
        let verdict = F.webhook.verdict(body: body, ed25519Signature: nil, rsaSignature: F.rsaSignature(body), now: Date())
        guard case .accepted(let events) = verdict else { Issue.record("not accepted: \(verdict)"); return }
        #expect(events.map(\.hint.id) == ["c2"])
    }

    @Test func aTamperedBodyIsRefusedWithEitherSignature() {
        let body = F.ghlBody("ContactUpdate", id: "c1")
        var tampered = body
        tampered[tampered.count - 3] ^= 0x01
        let ed = F.webhook.verdict(body: tampered, ed25519Signature: F.ed25519Signature(body), rsaSignature: nil, now: Date())
        let rsa = F.webhook.verdict(body: tampered, ed25519Signature: nil, rsaSignature: F.rsaSignature(body), now: Date())
        #expect(Self.isUnauthenticated(ed))
        #expect(Self.isUnauthenticated(rsa))
    }

    @Test func aSignatureByAnotherKeyIsRefused() throws {
        let body = F.ghlBody("ContactUpdate")
        let otherEd = Curve25519.Signing.PrivateKey()
        let otherRSA = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        #expect(Self.isUnauthenticated(F.webhook.verdict(
            body: body, ed25519Signature: F.ed25519Signature(body, key: otherEd), rsaSignature: nil, now: Date())))
        #expect(Self.isUnauthenticated(F.webhook.verdict(
            body: body, ed25519Signature: nil, rsaSignature: F.rsaSignature(body, key: otherRSA), now: Date())))
        // GHL's published keys do not verify a test signature either.
        let published = GHLWebhook(keys: .published, locationId: F.location)
        #expect(Self.isUnauthenticated(published.verdict(
            body: body, ed25519Signature: F.ed25519Signature(body), rsaSignature: F.rsaSignature(body), now: Date())))
    }

    @Test func noSignatureHeaderIsRefused() {
        let verdict = F.webhook.verdict(body: F.ghlBody("ContactUpdate"), ed25519Signature: nil, rsaSignature: nil, now: Date())
        #expect(verdict == .unauthenticated(reason: "neither x-ghl-signature nor x-wh-signature is present"))
    }

    @Test func aBadEd25519SignatureNeverFallsBackToAValidRSAOne() {
        let body = F.ghlBody("ContactUpdate")
        let other = F.ed25519Signature(F.ghlBody("ContactUpdate"))
        for bad in [other, "not base64!", Data(repeating: 7, count: 64).base64EncodedString(), ""] {
            let verdict = F.webhook.verdict(body: body, ed25519Signature: bad, rsaSignature: F.rsaSignature(body), now: Date())
            #expect(Self.isUnauthenticated(verdict), "x-ghl-signature \(bad)")
        }
    }

    @Test func aTimestampMoreThanFiveMinutesAwayIsStale() {
        let now = Date()
        for offset in [-301.0, -3600, 301, 86_400] {
            let body = F.ghlBody("ContactUpdate", at: now.addingTimeInterval(offset))
            let verdict = F.webhook.verdict(body: body, ed25519Signature: F.ed25519Signature(body), rsaSignature: nil, now: now)
            guard case .stale = verdict else { Issue.record("offset \(offset): \(verdict)"); continue }
        }
        for offset in [-299.0, 0, 299] {
            let body = F.ghlBody("ContactUpdate", at: now.addingTimeInterval(offset))
            let verdict = F.webhook.verdict(body: body, ed25519Signature: F.ed25519Signature(body), rsaSignature: nil, now: now)
            guard case .accepted = verdict else { Issue.record("offset \(offset): \(verdict)"); continue }
        }
    }

    @Test func aSignedBodyWithoutTimestampOrNotJSONIsMalformed() {
        let noTimestamp = JSON.object(["type": "ContactUpdate", "locationId": .string(F.location), "id": "c1"]).serializedBytes()
        let junk = Array("hello".utf8)
        for body in [noTimestamp, junk] {
            let verdict = F.webhook.verdict(body: body, ed25519Signature: F.ed25519Signature(body), rsaSignature: nil, now: Date())
            guard case .malformed = verdict else { Issue.record("\(verdict)"); continue }
        }
    }

    @Test func anotherLocationsEventIsIgnored() {
        let body = F.ghlBody("ContactUpdate", location: "someone-else")
        let verdict = F.webhook.verdict(body: body, ed25519Signature: F.ed25519Signature(body), rsaSignature: nil, now: Date())
        #expect(verdict == .ignored(reason: "ContactUpdate is for location someone-else, not the configured \(F.location)"))
    }

    @Test func configuredKeysAreReadAsPEMOrBase64DERAndABadOneNamesItsConfigKey() throws {
        let ed = F.ed25519.publicKey
        let spki = Data([0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00] + Array(ed.rawRepresentation))
        let edPEM = "-----BEGIN PUBLIC KEY-----\n\(spki.base64EncodedString())\n-----END PUBLIC KEY-----\n"
        let rsa = F.rsa.publicKey
        for (edText, rsaText) in [(spki.base64EncodedString(), rsa.pemRepresentation), (edPEM, rsa.derRepresentation.base64EncodedString())] {
            let keys = try GHLWebhookKeys(ed25519: edText, rsa: rsaText)
            let body = F.ghlBody("ContactUpdate")
            let webhook = GHLWebhook(keys: keys, locationId: F.location)
            guard case .accepted = webhook.verdict(body: body, ed25519Signature: F.ed25519Signature(body), rsaSignature: nil, now: Date())
            else { Issue.record("Ed25519 key \(edText) did not verify"); continue }
            guard case .accepted = webhook.verdict(body: body, ed25519Signature: nil, rsaSignature: F.rsaSignature(body), now: Date())
            else { Issue.record("RSA key did not verify"); continue }
        }
        #expect(throws: WebhookKeyError.self) { try GHLWebhookKeys(ed25519: "not a key", rsa: nil) }
        do {
            _ = try GHLWebhookKeys(ed25519: nil, rsa: spki.base64EncodedString())
            Issue.record("an Ed25519 key was taken for RSA")
        } catch {
            #expect(error.configKey == "ghl.webhooks.rsaPublicKey")
            #expect(error.description.contains("remove ghl.webhooks.rsaPublicKey to use GHL's published key"))
        }
        do {
            _ = try GHLWebhookKeys(ed25519: rsa.pemRepresentation, rsa: nil)
            Issue.record("an RSA key was taken for Ed25519")
        } catch {
            #expect(error.configKey == "ghl.webhooks.publicKey")
        }
    }

    // MARK: EspoCRM

    @Test func aValidEspoSignatureIsAccepted() {
        let registration = F.registration()
        let body = F.espoBody(count: 2)
        let header = EspoSignature.value(body: body, webhookId: registration.webhookId, secretKey: registration.secretKey)
        let verdict = EspoWebhook.verdict(body: body, signature: header, subscriptionName: "contact-update", registration: registration)
        guard case .accepted(let events) = verdict else { Issue.record("\(verdict)"); return }
        #expect(events.map(\.hint) == [
            Hint(side: .espo, object: "Contact", id: "e0", event: "Contact.update"),
            Hint(side: .espo, object: "Contact", id: "e1", event: "Contact.update"),
        ])
    }

    @Test func theHeaderIsBase64OfWebhookIdAndLowercaseHexHMAC() {
        let body = Array(#"[{"id":"a"}]"#.utf8)
        let header = EspoSignature.value(body: body, webhookId: "wh1", secretKey: "key")
        let decoded = String(decoding: Data(base64Encoded: header)!, as: UTF8.self)
        let hmac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array("key".utf8)))
        #expect(decoded == "wh1:" + hmac.map { String(format: "%02x", $0) }.joined())
    }

    @Test func aTamperedEspoBatchIsRefused() {
        let registration = F.registration()
        let body = F.espoBody(count: 3)
        let header = EspoSignature.value(body: body, webhookId: registration.webhookId, secretKey: registration.secretKey)
        var tampered = body
        tampered[5] ^= 0x02
        #expect(Self.isUnauthenticated(EspoWebhook.verdict(
            body: tampered, signature: header, subscriptionName: "contact-update", registration: registration)))
    }

    @Test func aWrongSecretOrAnotherWebhooksIdIsRefused() {
        let registration = F.registration()
        let body = F.espoBody(count: 1)
        let wrongSecret = EspoSignature.value(body: body, webhookId: registration.webhookId, secretKey: "other")
        let wrongId = EspoSignature.value(body: body, webhookId: "wh-other", secretKey: registration.secretKey)
        for header in [wrongSecret, wrongId, "garbage", Data("wh0000000000000001:zz".utf8).base64EncodedString()] {
            #expect(Self.isUnauthenticated(EspoWebhook.verdict(
                body: body, signature: header, subscriptionName: "contact-update", registration: registration)), "\(header)")
        }
    }

    @Test func aMissingEspoHeaderOrUnknownSubscriptionIsRefused() {
        let registration = F.registration()
        let body = F.espoBody(count: 1)
        #expect(EspoWebhook.verdict(body: body, signature: nil, subscriptionName: "contact-update", registration: registration)
            == .unauthenticated(reason: "no Signature header"))
        let header = EspoSignature.value(body: body, webhookId: registration.webhookId, secretKey: registration.secretKey)
        #expect(Self.isUnauthenticated(EspoWebhook.verdict(body: body, signature: header, subscriptionName: "contact-update", registration: nil)))
        // A registration found under another name does not sign this one.
        #expect(Self.isUnauthenticated(EspoWebhook.verdict(body: body, signature: header, subscriptionName: "contact-delete", registration: registration)))
    }

    @Test func aFiftyItemBatchGivesFiftyHints() {
        let registration = F.registration("task-create")
        let body = F.espoBody(count: 50)
        let header = EspoSignature.value(body: body, webhookId: registration.webhookId, secretKey: registration.secretKey)
        let verdict = EspoWebhook.verdict(body: body, signature: header, subscriptionName: "task-create", registration: registration)
        guard case .accepted(let events) = verdict else { Issue.record("\(verdict)"); return }
        #expect(events.count == 50)
        #expect(Set(events.map(\.hint.id)).count == 50)
        #expect(Set(events.map(\.dedupeKey)).count == 50)
        #expect(events.allSatisfy { $0.hint.object == "Task" && $0.hint.event == "Task.create" && !$0.hint.deleted })
    }

    static func isUnauthenticated(_ verdict: WebhookVerdict) -> Bool {
        if case .unauthenticated = verdict { return true }
        return false
    }
}
