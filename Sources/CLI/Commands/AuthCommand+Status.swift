import ArgumentParser
import Foundation
import GHLClient
import StateStore
import SyncCore
import Webhooks

extension AuthCommand {
    /// `auth status`: how each side authenticates, and every stored secret with the key that sealed it.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Say how each side authenticates, which key sealed each stored secret and when the OAuth tokens were last refreshed (never shows a secret).")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let config = try global.loadConfig()
            let report = try AuthReport.read(config: config, environment: ProcessInfo.processInfo.environment)
            Console.out(global.json ? report.json.serialized() + "\n" : report.text)
        }
    }
}

/// What `auth status` shows, read from the config, the environment and the state file; no secret in it.
struct AuthReport {
    /// A key variable: whether it is set, and the id of the key it holds.
    struct Key {
        var variable: String
        var sealer: TokenSealer?
        /// Why it holds no usable key (not set, not 32 bytes); nil when it does.
        var problem: String?

        init(variable: String, environment: [String: String]) {
            self.variable = variable
            do { sealer = try TokenSealer(environmentVariable: variable, environment: environment) } catch {
                sealer = nil
                problem = environment[variable]?.isEmpty == false ? error.message : "not set"
            }
        }

        var json: JSON {
            .object([
                "variable": .string(variable), "set": .bool(problem != "not set"),
                "keyId": sealer.map { .string($0.keyId) } ?? .null, "problem": problem.map(JSON.string) ?? .null,
            ])
        }
    }

    /// One stored secret.
    struct Secret {
        var stored: StoredToken
        var kind: String
        var opensWithCurrent: Bool?
        var opensWithNew: Bool?
    }

    /// The location's OAuth tokens, when the config uses an OAuth app and they are stored.
    struct Tokens {
        var slot: String
        var refreshedAt: Date
        var pair: TokenPair?
        /// Why the pair cannot be read with the current key; nil when it can.
        var problem: String?
    }

    let config: Config
    let environment: [String: String]
    let current: Key
    let new: Key?
    let stateExists: Bool
    let secrets: [Secret]
    let tokens: Tokens?

    static func read(config: Config, environment: [String: String]) throws -> AuthReport {
        let current = Key(variable: config.tokenKeyEnv, environment: environment)
        let newKey = environment[config.newTokenKeyEnv]?.isEmpty == false ? Key(variable: config.newTokenKeyEnv, environment: environment) : nil
        let exists = FileManager.default.fileExists(atPath: config.state)
        let stored = exists ? try StateAccess.call { try StateStore(path: config.state).tokens() } : []
        let secrets = stored.map { token in
            Secret(
                stored: token, kind: kind(of: token.name),
                opensWithCurrent: current.sealer.map { $0.openBytes(token.sealed, name: token.name) != nil },
                opensWithNew: newKey?.sealer.map { $0.openBytes(token.sealed, name: token.name) != nil })
        }
        var tokens: Tokens?
        if case .oauth = config.ghl.auth, let row = stored.first(where: { $0.name == TokenKeeper.slot(location: config.ghl.locationId) }) {
            var found = Tokens(slot: row.name, refreshedAt: row.updatedAt)
            if let sealer = current.sealer {
                do { found.pair = try sealer.open(row.sealed, name: row.name, sealedBy: row.keyId) } catch { found.problem = error.message }
            } else {
                found.problem = "$\(config.tokenKeyEnv) is \(current.problem ?? "not usable")"
            }
            tokens = found
        }
        return AuthReport(
            config: config, environment: environment, current: current, new: newKey, stateExists: exists, secrets: secrets,
            tokens: tokens)
    }

    static func kind(of slot: String) -> String {
        if slot.hasPrefix("ghl.location.") || slot.hasPrefix("ghl.company.") { return "GHL OAuth tokens" }
        if slot.hasPrefix(RegistrationSealer.slotPrefix) { return "EspoCRM webhook secret" }
        return "secret"
    }

    /// Set as a run reads it (`Secrets`): present and not only blanks.
    func isSet(_ name: String) -> Bool { (try? Secrets(environment: environment).value(name, for: "", file: config.file)) != nil }

    /// The variables each side's authentication reads, and whether each is set.
    var sides: (ghl: (type: String, variables: [(String, String)]), espo: (type: String, variables: [(String, String)])) {
        let ghl: (String, [(String, String)]) = switch config.ghl.auth {
        case .privateToken(let tokenEnv): ("privateToken", [("token", tokenEnv)])
        case .oauth(let idEnv, let secretEnv, _): ("oauth", [("client id", idEnv), ("secret", secretEnv), ("token key", config.tokenKeyEnv)])
        }
        let espo: (String, [(String, String)]) = switch config.espo.auth {
        case .apiKey(let keyEnv): ("apiKey", [("API key", keyEnv)])
        case .hmac(let keyEnv, let secretEnv): ("hmac", [("key", keyEnv), ("secret", secretEnv)])
        case .basic(let userEnv, let passwordEnv): ("basic", [("user", userEnv), ("password", passwordEnv)])
        }
        return ((ghl.0, ghl.1), (espo.0, espo.1))
    }

    // MARK: Text

    var text: String {
        func set(_ name: String) -> String { isSet(name) ? "set" : "NOT SET" }
        var out = ""
        switch config.ghl.auth {
        case .privateToken(let tokenEnv):
            out += "GoHighLevel: Private Integration Token from $\(tokenEnv) (\(set(tokenEnv)))\n"
        case .oauth(let idEnv, let secretEnv, _):
            out += "GoHighLevel: OAuth app, client id $\(idEnv) (\(set(idEnv))), secret $\(secretEnv) (\(set(secretEnv))), token key $\(config.tokenKeyEnv) (\(set(config.tokenKeyEnv)))\n"
            if !stateExists {
                out += "  no state file yet: run `espo-ghl-sync auth login`\n"
            } else if let tokens {
                if let pair = tokens.pair {
                    out += "  tokens stored for location \(pair.locationId ?? config.ghl.locationId) (\(pair.userType ?? "Location")); access token valid until \(AuthCommand.Login.time(pair.expiresAt)); scopes: \(pair.scope ?? "(not reported)")\n"
                } else {
                    out += "  tokens stored for location \(config.ghl.locationId), but they cannot be opened: \(tokens.problem ?? "")\n"
                }
                out += "  last refreshed \(StateAccess.format(tokens.refreshedAt)) (saved by `auth login` or a token refresh)\n"
            } else {
                out += "  no tokens stored: run `espo-ghl-sync auth login`\n"
            }
        }
        switch config.espo.auth {
        case .apiKey(let keyEnv): out += "EspoCRM: API key from $\(keyEnv) (\(set(keyEnv)))\n"
        case .hmac(let keyEnv, let secretEnv): out += "EspoCRM: HMAC, key $\(keyEnv) (\(set(keyEnv))), secret $\(secretEnv) (\(set(secretEnv)))\n"
        case .basic(let userEnv, let passwordEnv): out += "EspoCRM: Basic, user $\(userEnv) (\(set(userEnv))), password $\(passwordEnv) (\(set(passwordEnv)))\n"
        }
        out += "Sealing key: $\(config.tokenKeyEnv) \(describe(current))"
        if let new { out += "; new key $\(config.newTokenKeyEnv) \(describe(new)) (run `espo-ghl-sync auth rotate-key`)" }
        out += "\n"
        guard stateExists else { return out + "Stored secrets: none (no state file at \(config.state) yet)\n" }
        guard !secrets.isEmpty else { return out + "Stored secrets: none in \(config.state)\n" }
        out += "Stored secrets in \(config.state):\n"
        let width = secrets.map(\.stored.name.count).max() ?? 0
        for secret in secrets {
            var line = "  " + secret.stored.name.padding(toLength: width, withPad: " ", startingAt: 0)
            line += "  \(secret.kind); sealed by key id \(secret.stored.keyId ?? "(not recorded)"); saved \(StateAccess.format(secret.stored.updatedAt))"
            line += "; opens with $\(config.tokenKeyEnv): \(answer(secret.opensWithCurrent))"
            if new != nil { line += "; with $\(config.newTokenKeyEnv): \(answer(secret.opensWithNew))" }
            out += line + "\n"
        }
        if secrets.contains(where: { $0.opensWithCurrent == false }) {
            out += "Some secrets do not open with $\(config.tokenKeyEnv): set it to the key whose id sealed them (after `auth rotate-key`, the new key); README, Rotating secrets.\n"
        }
        return out
    }

    private func describe(_ key: Key) -> String {
        key.sealer.map { "holds key id \($0.keyId)" } ?? "(\(key.problem ?? "not usable"))"
    }

    private func answer(_ opens: Bool?) -> String {
        opens.map { $0 ? "yes" : "NO" } ?? "unknown (no key)"
    }

    // MARK: JSON

    var json: JSON {
        func side(_ side: (type: String, variables: [(String, String)])) -> JSON {
            var variables: JSONObject = [:]
            for (_, name) in side.variables { variables[name] = .bool(isSet(name)) }
            return .object(["auth": .string(side.type), "variables": .object(variables)])
        }
        var ghl = side(sides.ghl).objectValue ?? [:]
        if case .oauth = config.ghl.auth {
            ghl["tokens"] = tokens.map { tokens in
                .object([
                    "slot": .string(tokens.slot), "refreshedAt": .string(StateAccess.format(tokens.refreshedAt)),
                    "locationId": tokens.pair.map { .string($0.locationId ?? config.ghl.locationId) } ?? .null,
                    "userType": tokens.pair?.userType.map(JSON.string) ?? .null,
                    "expiresAt": tokens.pair.map { .string(AuthCommand.Login.time($0.expiresAt)) } ?? .null,
                    "scopes": tokens.pair?.scope.map(JSON.string) ?? .null,
                    "opens": .bool(tokens.pair != nil), "problem": tokens.problem.map(JSON.string) ?? .null,
                ])
            } ?? .null
        }
        return .object([
            "stateFile": .string(config.state), "stateFileExists": .bool(stateExists),
            "ghl": .object(ghl), "espo": side(sides.espo),
            "keys": .object(["current": current.json, "new": new?.json ?? .null]),
            "secrets": .array(secrets.map { secret in
                .object([
                    "slot": .string(secret.stored.name), "kind": .string(secret.kind),
                    "keyId": secret.stored.keyId.map(JSON.string) ?? .null,
                    "savedAt": .string(StateAccess.format(secret.stored.updatedAt)),
                    "opensWithCurrentKey": secret.opensWithCurrent.map(JSON.bool) ?? .null,
                    "opensWithNewKey": secret.opensWithNew.map(JSON.bool) ?? .null,
                ])
            }),
        ])
    }
}
