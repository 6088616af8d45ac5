import ArgumentParser
import Engine
import Foundation
import GHLClient
import StateStore
import SyncCore

extension AuthCommand {
    /// `auth rotate-key`: every stored secret re-sealed from `$tokenKeyEnv`'s key to `$newTokenKeyEnv`'s.
    struct RotateKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-key",
            abstract: "Re-seal every stored secret (OAuth tokens, EspoCRM webhook secrets) from the key in $tokenKeyEnv to the key in $newTokenKeyEnv, in one transaction.",
            discussion: """
                Checks first that every secret opens with the current key (one that does not is named, and nothing \
                changes), then re-seals them all in one SQLite transaction: a crash leaves them all sealed by the old \
                key. Refused while `serve` runs on the state file, or when both variables hold the same key. Run \
                again after a crash, it finishes the rotation or says it was done. Then prints what to do next: \
                the new key into $tokenKeyEnv, $newTokenKeyEnv unset, serve and the timers restarted. Exit 0 done, 1 refused.
                """)
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let config = try global.loadConfig()
            let current = try Self.sealer(config.tokenKeyEnv, key: "$.tokenKeyEnv", config: config, role: "the current key")
            let next = try Self.sealer(config.newTokenKeyEnv, key: "$.newTokenKeyEnv", config: config, role: "the new key")
            let rotation: KeyRotation
            do { rotation = try KeyRotation(from: current, to: next) } catch { throw CommandError(error.description) }
            guard FileManager.default.fileExists(atPath: config.state) else {
                throw CommandError("no state file at \(config.state): no secret is stored there, so there is nothing to re-seal; check $.state in \(config.file), or simply put the new key into $\(config.tokenKeyEnv)")
            }
            // serve first (it keeps the key in memory), then the run lock (no sync refreshes a token meanwhile).
            let serving: ServeLock
            do { serving = try ServeLock(statePath: config.state, .rotating) } catch { throw CommandError(error.description) }
            let (lock, store) = try AuthCommand.open(config)
            let stored = try StateAccess.call { try store.tokens() }
            let resealed: [KeyRotation.Resealed]
            do {
                resealed = try rotation.reseal(stored.map { KeyRotation.Slot(name: $0.name, sealed: $0.sealed, keyId: $0.keyId) })
            } catch {
                throw CommandError("\(config.state): \(error.description)")
            }
            if !resealed.isEmpty {
                let replacements = resealed.map { TokenReplacement(name: $0.name, was: $0.was, sealed: $0.sealed, keyId: $0.keyId) }
                try StateAccess.call { try store.resealTokens(replacements) }
            }
            withExtendedLifetime((lock, serving)) {}
            let outcome = Outcome(config: config, from: current.keyId, to: next.keyId, resealed: resealed)
            Console.out(global.json ? outcome.json.serialized() + "\n" : outcome.text)
        }

        static func sealer(_ variable: String, key: String, config: Config, role: String) throws -> TokenSealer {
            do { return try TokenSealer(environmentVariable: variable) } catch {
                throw CommandError("\(config.file): \(key) (\(role)): \(error.description)")
            }
        }

        /// What the rotation did, and the steps that finish it.
        struct Outcome {
            let config: Config
            let from: String
            let to: String
            let resealed: [KeyRotation.Resealed]

            var moved: [String] { resealed.filter { !$0.wasAlreadyNew }.map(\.name) }
            var alreadyNew: [String] { resealed.filter(\.wasAlreadyNew).map(\.name) }

            var steps: [String] {
                [
                    "Put the new key (the value of $\(config.newTokenKeyEnv)) into $\(config.tokenKeyEnv) wherever it is set (your shell, the service's and the timers' environment files), replacing the old key.",
                    "Unset $\(config.newTokenKeyEnv).",
                    "Restart `espo-ghl-sync serve` and the scheduled syncs; until they have the new key, they cannot open the secrets (nothing is lost).",
                    "Check: `espo-ghl-sync auth status` shows every secret sealed by key id \(to) and opening with $\(config.tokenKeyEnv). Then destroy the old key (id \(from)).",
                ]
            }

            var summary: String {
                if resealed.isEmpty {
                    return "No secret is stored in \(config.state): nothing to re-seal."
                }
                if moved.isEmpty {
                    return "Every stored secret (\(alreadyNew.count)) is already sealed by the new key (key id \(to)): an earlier `auth rotate-key` committed, but $\(config.tokenKeyEnv) still holds the old key (id \(from)). Nothing was changed; finish the rotation:"
                }
                let already = alreadyNew.isEmpty ? "" : " (\(alreadyNew.count) were already sealed by the new key)"
                return "Re-sealed \(moved.count) secrets in \(config.state) from key id \(from) ($\(config.tokenKeyEnv)) to key id \(to) ($\(config.newTokenKeyEnv)) in one transaction\(already): \(Self.kinds(moved)). The old key no longer opens them."
            }

            /// "1 GHL OAuth tokens, 12 EspoCRM webhook secret(s)": how many of each kind.
            static func kinds(_ names: [String]) -> String {
                var counts: [(kind: String, count: Int)] = []
                for kind in names.map(AuthReport.kind(of:)) {
                    if let index = counts.firstIndex(where: { $0.kind == kind }) { counts[index].count += 1 } else { counts.append((kind, 1)) }
                }
                return counts.map { "\($0.count) × \($0.kind)" }.joined(separator: ", ")
            }

            var text: String {
                summary + "\n\nNext steps:\n" + steps.enumerated().map { "  \($0.offset + 1). \($0.element)\n" }.joined()
            }

            var json: JSON {
                .object([
                    "stateFile": .string(config.state), "fromKeyId": .string(from), "toKeyId": .string(to),
                    "resealed": .array(moved.map(JSON.string)), "alreadySealedByNewKey": .array(alreadyNew.map(JSON.string)),
                    "nextSteps": .array(steps.map(JSON.string)),
                ])
            }
        }
    }
}
