import Foundation
import GHLClient
import StateStore
import SyncCore
import Testing
import TestSupport

/// Key ids, the rotation's decisions, and what a token that does not open says.
@Suite struct KeyRotationTests {
    static let old = try! TokenSealer(key: (0..<32).map { UInt8($0) }, variable: "OLD_KEY")
    static let new = try! TokenSealer(key: (0..<32).map { UInt8(100 + $0) }, variable: "NEW_KEY")
    static let stranger = try! TokenSealer(key: Array(repeating: 7, count: 32), variable: "OTHER")

    static func slot(_ name: String, _ plain: String, by sealer: TokenSealer) throws -> KeyRotation.Slot {
        KeyRotation.Slot(name: name, sealed: try sealer.sealBytes(Array(plain.utf8), name: name), keyId: sealer.keyId)
    }

    @Test func aKeyIdIsSixteenHexDigitsOfTheKeyAlone() throws {
        let again = try TokenSealer(key: (0..<32).map { UInt8($0) })
        #expect(Self.old.keyId == again.keyId)
        #expect(Self.old.keyId.count == 16 && Self.old.keyId.allSatisfy(\.isHexDigit))
        #expect(Self.old.keyId != Self.new.keyId)
        #expect(TokenSealer.keyId(of: (0..<32).map { UInt8(100 + $0) }) == Self.new.keyId)
        // Not the key's bytes in hex, nor a prefix of them.
        let hex = (0..<32).map { String(format: "%02x", $0) }.joined()
        #expect(!hex.contains(Self.old.keyId))
        // Printed or dumped, a sealer shows its key id, never its key.
        var dumped = ""
        dump(Self.old, to: &dumped)
        for shown in ["\(Self.old)", String(reflecting: Self.old), dumped] {
            #expect(shown.contains(Self.old.keyId) && !shown.contains("keyBytes") && !shown.contains("[0, 1, 2, 3"), "\(shown)")
        }
    }

    @Test func everySlotIsResealedAndOpensWithTheNewKeyOnly() throws {
        let slots = [try Self.slot("espo.webhook.contact-update", "{\"secretKey\":\"s1\"}", by: Self.old),
                     try Self.slot("ghl.location.L1", "{\"access_token\":\"a1\"}", by: Self.old)]
        let resealed = try KeyRotation(from: Self.old, to: Self.new).reseal(slots)
        #expect(resealed.map(\.name) == slots.map(\.name) && resealed.allSatisfy { !$0.wasAlreadyNew && $0.keyId == Self.new.keyId })
        for (slot, done) in zip(slots, resealed) {
            #expect(done.was == slot.sealed)
            #expect(Self.new.openBytes(done.sealed, name: slot.name) == Self.old.openBytes(slot.sealed, name: slot.name))
            #expect(Self.old.openBytes(done.sealed, name: slot.name) == nil)
        }
        // The slot's name is still bound in: the bytes do not open under another slot.
        #expect(Self.new.openBytes(resealed[0].sealed, name: "espo.webhook.contact-create") == nil)
    }

    @Test func aSlotAlreadySealedByTheNewKeyIsKeptAsItIs() throws {
        let slots = [try Self.slot("a", "one", by: Self.new), try Self.slot("b", "two", by: Self.old)]
        let resealed = try KeyRotation(from: Self.old, to: Self.new).reseal(slots)
        #expect(resealed[0].wasAlreadyNew && resealed[0].sealed == slots[0].sealed)
        #expect(!resealed[1].wasAlreadyNew && Self.new.openBytes(resealed[1].sealed, name: "b") == Array("two".utf8))
    }

    @Test func aSlotNeitherKeyOpensRefusesTheRotationNamingIt() throws {
        let slots = [try Self.slot("a", "one", by: Self.old), try Self.slot("ghl.company.C9", "two", by: Self.stranger)]
        #expect {
            try KeyRotation(from: Self.old, to: Self.new).reseal(slots)
        } throws: { error in
            let message = "\(error)"
            return message.contains("ghl.company.C9") && message.contains("sealed by key id \(Self.stranger.keyId)")
                && message.contains("$OLD_KEY (key id \(Self.old.keyId))") && message.contains("Nothing was changed")
        }
    }

    @Test func theSameKeyTwiceIsRefused() throws {
        let copy = try TokenSealer(key: (0..<32).map { UInt8($0) }, variable: "NEW_KEY")
        #expect {
            try KeyRotation(from: Self.old, to: copy)
        } throws: { error in "\(error)".contains("$NEW_KEY holds the same key as $OLD_KEY") }
    }

    /// After a half-finished rotation: the keeper's error says the stored pair was sealed by another key, and which.
    @Test func aTokenSealedByAnotherKeySaysWhichKeySealedIt() async throws {
        let folder = try TemporaryFolder()
        let store = try StateStore(path: folder.file())
        let name = TokenKeeper.slot(location: "L1")
        let pair = TokenPair(accessToken: "at-1", refreshToken: "rt-1", expiresAt: 4_000_000_000_000, userType: "Location", locationId: "L1")
        try await TokenKeeper(name: name, vault: store, sealer: Self.new, source: .refreshToken(Self.session)).install(pair)
        #expect(try store.tokenKeyId(name: name) == Self.new.keyId)
        let reader = TokenKeeper(name: name, vault: store, sealer: Self.old, source: .refreshToken(Self.session))
        do {
            _ = try await reader.pair()
            Issue.record("the pair opened with the wrong key")
        } catch {
            #expect(error.description.contains("was sealed by key id \(Self.new.keyId), but $OLD_KEY holds key id \(Self.old.keyId)"), "\(error)")
            #expect(!error.description.contains("at-1") && !error.description.contains("rt-1"))
        }
        #expect(try await TokenKeeper(name: name, vault: store, sealer: Self.new, source: .refreshToken(Self.session)).pair() == pair)
    }

    static let session = OAuthSession(app: OAuthApp(clientId: "c", clientSecret: "s", redirectURI: "http://localhost/cb"), baseURL: "http://127.0.0.1:9")
}
