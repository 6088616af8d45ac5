import ArgumentParser
import Emulation
import Engine
import Foundation
import GHLClient
import StateStore
import Synchronization
import SyncCore
import Transport

/// `auth login|status|logout|rotate-key`: GoHighLevel OAuth tokens and the key sealing the stored secrets.
struct AuthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auth",
        abstract: "Connect a GoHighLevel OAuth app to the location, show or forget its tokens, or rotate the key that seals the stored secrets.",
        subcommands: [Login.self, Status.self, Logout.self, RotateKey.self])

    struct Login: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the consent URL, receive the code (local redirect or pasted), store the tokens sealed.")
        @OptionGroup var global: GlobalOptions

        @Option(help: "The code from the redirect, if you already have it (otherwise it is awaited).")
        var code: String?

        @Option(help: "How long to wait for the redirect or a pasted code, in seconds.")
        var timeout = 600

        func run() async throws {
            let config = try global.loadConfig()
            let wiring = Wiring(config: config)
            let session = try wiring.oauthSession()
            _ = try wiring.sealer()
            let (lock, store) = try open(config)
            let received: String
            if let code {
                received = code
            } else {
                let state = UUID().uuidString
                Console.out("""
                    Open this address in a browser, log in as an admin of the location and choose it:

                      \(session.app.consentURL(state: state))

                    Waiting for the redirect to \(session.app.redirectURI); or paste the code (or the whole address you were sent to) here:

                    """)
                received = try await ConsentCode.await(redirect: session.app.redirectURI, timeout: .seconds(timeout))
            }
            let pair: TokenPair
            do { pair = try await session.exchange(code: received) } catch { throw CommandError(error.description) }
            if let location = pair.locationId, location != config.ghl.locationId {
                throw CommandError("the app was installed on location \(location), but \(config.file) names \(config.ghl.locationId); nothing was stored")
            }
            let keeper = try wiring.tokenKeeper(store: store)
            do { try await keeper.install(pair) } catch { throw CommandError(error.description) }
            withExtendedLifetime(lock) {}
            Console.out("""
                Stored the tokens of location \(config.ghl.locationId) in \(config.state), sealed with AES-GCM \
                (key from $\(config.tokenKeyEnv)). The access token is valid until \(Self.time(pair.expiresAt)); \
                the sync refreshes it by itself.

                """)
        }

        static func time(_ milliseconds: Int64) -> String { Timestamp.iso8601(milliseconds / 1000) }
    }

    struct Logout: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Forget the location's stored OAuth tokens.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let config = try global.loadConfig()
            let (lock, store) = try open(config)
            try StateAccess.call { try store.deleteToken(name: TokenKeeper.slot(location: config.ghl.locationId)) }
            withExtendedLifetime(lock) {}
            Console.out("Forgot the tokens of location \(config.ghl.locationId). Uninstall the app in GoHighLevel to revoke them there too.\n")
        }
    }

    /// The state file under the run lock, so no sync is using the tokens meanwhile.
    static func open(_ config: Config) throws -> (RunLock, StateStore) {
        do { return try Engine.open(statePath: config.state) } catch { throw CommandError(error.description) }
    }
}

private func open(_ config: Config) throws -> (RunLock, StateStore) { try AuthCommand.open(config) }

/// The consent code, from the local redirect or typed in, whichever comes first.
enum ConsentCode {
    static func await(redirect: String, timeout: Duration) async throws -> String {
        let found = AsyncStream<String>.makeStream()
        var server: EmulatorServer?
        if let url = URL(string: redirect), url.scheme == "http", ["127.0.0.1", "localhost"].contains(url.host ?? ""),
           let port = url.port {
            server = try? await EmulatorServer.start(Catcher(path: url.path, found: found.continuation), host: "127.0.0.1", port: port)
            if server == nil { Console.err("note: cannot listen on \(redirect); paste the code instead\n") }
        }
        let reader = Thread {
            while let line = readLine() {
                if let pasted = ConsentCode.code(in: line) { found.continuation.yield(pasted); return }
            }
        }
        reader.start()
        let deadline = Task {
            try await Task.sleep(for: timeout)
            found.continuation.finish()
        }
        var code: String?
        for await value in found.stream {
            code = value
            break
        }
        deadline.cancel()
        await server?.stop()
        guard let code else { throw CommandError("no code arrived within \(timeout); run `auth login` again") }
        return code
    }

    /// The code in a pasted line: the bare code, or a whole redirect address with `code=…`.
    static func code(in line: String) -> String? {
        let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return nil }
        if let components = URLComponents(string: trimmed), let code = components.queryItems?.first(where: { $0.name == "code" })?.value {
            return code
        }
        return trimmed.contains(" ") ? nil : trimmed
    }

    /// Answers the browser's redirect and hands its `code` over.
    struct Catcher: EmulatedAPI {
        let path: String
        let found: AsyncStream<String>.Continuation
        let contractName = "none"

        func route(_ request: ServedRequest) -> Route? { Route("GET \(path)", isWrite: false) }

        func respond(to request: ServedRequest) async -> ServedResponse {
            guard request.path == path, let code = request.query(plusIsSpace: true).first(where: { $0.name == "code" })?.value else {
                return ServedResponse(status: 404, body: Array("Not the redirect espo-ghl-sync waits for.".utf8))
            }
            found.yield(code)
            return ServedResponse(
                status: 200, headers: [(name: "Content-Type", value: "text/html; charset=utf-8")],
                body: Array("<!doctype html><title>espo-ghl-sync</title><p>espo-ghl-sync received the code. You can close this tab.".utf8))
        }
    }
}
