// Child process for GHLTests' crash test: refreshes a location's OAuth tokens through a TokenKeeper,
// which stores the rotated pair, then says so on stdout and waits to be killed with SIGKILL before the
// new access token is ever used.
//
// Usage: ghl-token-probe BASE_URL STORE_PATH CLIENT_ID CLIENT_SECRET LOCATION_ID KEY_VARIABLE
import Foundation
import GHLClient
import StateStore
import Transport

extension StateStore: TokenVault {}

let arguments = CommandLine.arguments
guard arguments.count == 7 else {
    FileHandle.standardError.write(Data("usage: ghl-token-probe BASE_URL STORE_PATH CLIENT_ID CLIENT_SECRET LOCATION_ID KEY_VARIABLE\n".utf8))
    exit(2)
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
