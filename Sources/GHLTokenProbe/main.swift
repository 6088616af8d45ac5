// Child process for the token crash tests, two modes:
//
// ghl-token-probe BASE_URL STORE_PATH CLIENT_ID CLIENT_SECRET LOCATION_ID KEY_VARIABLE
//   (GHLTests) refreshes a location's OAuth tokens through a TokenKeeper, which stores the rotated pair,
//   then says "stored" on stdout and waits to be killed with SIGKILL before the new access token is used.
//
// ghl-token-probe rotate STORE_PATH KEY_VARIABLE NEW_KEY_VARIABLE MIDWAY
//   (EndToEndTests' RotationTests) re-seals every stored secret from the key in KEY_VARIABLE to the one in
//   NEW_KEY_VARIABLE as `auth rotate-key` does (KeyRotation, then StateStore.resealTokens), and inside
//   the transaction, after MIDWAY rows are written, says "midway N of M" and waits to be killed.
import Foundation
import GHLClient
import StateStore
import Transport

extension StateStore: TokenVault {}

/// Writes a line to stdout unbuffered: the test reads it while this process runs.
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("ghl-token-probe: \(message)\n".utf8))
    exit(message.hasPrefix("usage") ? 2 : 1)
}

let arguments = CommandLine.arguments
if arguments.count == 6, arguments[1] == "rotate" {
    let (storePath, keyVariable, newKeyVariable) = (arguments[2], arguments[3], arguments[4])
    guard let midway = Int(arguments[5]), midway > 0 else { fail("usage: MIDWAY is a number of rows, at least 1") }
    do {
        let store = try StateStore(path: storePath)
        let rotation = try KeyRotation(
            from: try TokenSealer(environmentVariable: keyVariable), to: try TokenSealer(environmentVariable: newKeyVariable))
        let resealed = try rotation.reseal(try store.tokens().map { KeyRotation.Slot(name: $0.name, sealed: $0.sealed, keyId: $0.keyId) })
        guard resealed.count > midway else { fail("only \(resealed.count) secrets are stored; MIDWAY must be fewer") }
        try store.resealTokens(resealed.map { TokenReplacement(name: $0.name, was: $0.was, sealed: $0.sealed, keyId: $0.keyId) }) { written in
            guard written == midway else { return }
            say("midway \(written) of \(resealed.count)")
            // The crash window: some rows re-sealed inside the open transaction, the rest not yet.
            let start = Date()
            while Date().timeIntervalSince(start) < 120 { Thread.sleep(forTimeInterval: 1) }
            fail("not killed within 120 s")
        }
        fail("the transaction committed; it should have been killed first")
    } catch {
        fail("\(error)")
    }
}

guard arguments.count == 7 else {
    fail("usage: ghl-token-probe BASE_URL STORE_PATH CLIENT_ID CLIENT_SECRET LOCATION_ID KEY_VARIABLE, or ghl-token-probe rotate STORE_PATH KEY_VARIABLE NEW_KEY_VARIABLE MIDWAY")
}
let (baseURL, storePath, clientId, clientSecret, location, keyVariable) =
    (arguments[1], arguments[2], arguments[3], arguments[4], arguments[5], arguments[6])

do {
    let store = try StateStore(path: storePath)
    let sealer = try TokenSealer(environmentVariable: keyVariable)
    let session = OAuthSession(app: OAuthApp(clientId: clientId, clientSecret: clientSecret, redirectURI: "http://localhost/cb"), baseURL: baseURL)
    let keeper = TokenKeeper(
        name: TokenKeeper.slot(location: location), vault: store, sealer: sealer, source: .refreshToken(session),
        afterStore: { _ in
            FileHandle.standardOutput.write(Data("stored\n".utf8))
            // The crash window: the rotated pair is on disk, its access token not used yet.
            while true { try? await Task.sleep(for: .seconds(60)) }
        })
    _ = try await keeper.renew(after: Response(status: 401))
    print("not killed")
} catch {
    FileHandle.standardError.write(Data("probe failed: \(error)\n".utf8))
    exit(1)
}
