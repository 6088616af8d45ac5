import ArgumentParser
import EspoClient
import Foundation
import Serve
import StateStore
import Transport
import Webhooks

/// `webhooks subscribe|list|unsubscribe`: EspoCRM's outgoing webhooks to `serve`, their secrets sealed
/// in the state file. GHL's webhook URL is set once in the Marketplace app's settings instead.
struct WebhooksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks", abstract: "Subscribe EspoCRM's webhooks to `serve`, list them, or remove them.",
        subcommands: [Subscribe.self, List.self, Unsubscribe.self])

    struct Subscribe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create the EspoCRM subscriptions (Contact, Account, Task, Meeting × create, update, delete; skipOwn), each to its own URL under serve.publicURL; keep the existing ones.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let config = try global.loadConfig()
            let publicURL = try WebhooksCommand.publicURL(config)
            let sealer = try WebhooksCommand.sealer(config)
            let client = try Wiring(config: config).espoClient()
            let store = try StateAccess.call { try StateStore(path: config.state) }
            let stored = try WebhooksCommand.stored(store, sealer: sealer, config: config)
            // New secrets are sealed with the key the stored ones are: never with the old key after a
            // rotation committed but before $tokenKeyEnv got the new key.
            let others = try StateAccess.call { try store.tokens() }.compactMap(\.keyId).filter { $0 != sealer.keyId }
            if let other = others.first {
                throw CommandError("""
                    the secrets in \(config.state) are sealed by key id \(other), but $\(config.tokenKeyEnv) holds key id \(sealer.keyId): \
                    a rotation committed and $\(config.tokenKeyEnv) does not have the new key yet. Put it there (see "Rotating secrets" \
                    in README), then subscribe; nothing was changed
                    """)
            }
            let existing = try await WebhooksCommand.call { try await client.webhooks() }
            var made = 0
            var kept = 0
            for subscription in EspoSubscription.all {
                let url = publicURL + subscription.path
                let mine = stored.registration(named: subscription.name)
                if let mine, mine.url == url, existing.contains(where: { $0.id == mine.webhookId && $0.event == subscription.event && $0.url == url }) {
                    kept += 1
                    Console.out("kept     \(subscription.event) → \(url) (webhook \(mine.webhookId))\n")
                    continue
                }
                // Ours under an old URL, or ones pointing here that the state file cannot sign for: replaced.
                var stale = existing.filter { $0.event == subscription.event && $0.url == url }.map { $0.id }
                if let mine, !stale.contains(mine.webhookId), existing.contains(where: { $0.id == mine.webhookId }) { stale.append(mine.webhookId) }
                for id in stale {
                    try await WebhooksCommand.call { try await client.deleteWebhook(id: id) }
                    Console.out("removed  \(subscription.event) webhook \(id) (its secret is not in \(config.state))\n")
                }
                let created = try await WebhooksCommand.call {
                    try await client.createWebhook(event: subscription.event, url: url, skipOwn: true)
                }
                let registration = EspoSubscription.Registration(
                    subscription: subscription, webhookId: created.id, secretKey: created.secretKey, url: url)
                let sealed: [UInt8]
                do { sealed = try sealer.seal(registration) } catch { throw CommandError("\(error)") }
                try StateAccess.call { try store.saveToken(sealed, name: RegistrationSealer.slot(subscription), keyId: sealer.keyId) }
                made += 1
                Console.out("created  \(subscription.event) → \(url) (webhook \(created.id))\n")
            }
            Console.out("""
                \(made) created, \(kept) kept; secrets sealed in \(config.state) with $\(config.tokenKeyEnv). \
                EspoCRM sends the queued events every few minutes (its Process Webhook Queue job); `serve` must be reachable at \(publicURL).
                GHL needs no subscription: set \(publicURL)\(Receiver.ghlPath) as the webhook URL in the Marketplace app's settings.

                """)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show EspoCRM's webhooks, marking the sync's own and those missing in EspoCRM.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let config = try global.loadConfig()
            let sealer = try WebhooksCommand.sealer(config)
            let client = try Wiring(config: config).espoClient()
            let stored = FileManager.default.fileExists(atPath: config.state)
                ? try WebhooksCommand.stored(try StateAccess.open(config), sealer: sealer, config: config) : EspoSubscriptions([])
            let existing = try await WebhooksCommand.call { try await client.webhooks() }
            let ours = Set(stored.registrations.values.map(\.webhookId))
            for webhook in existing.sorted(by: { ($0.event, $0.url) < ($1.event, $1.url) }) {
                let marker = ours.contains(webhook.id) ? "ours " : "other"
                let state = webhook.isActive == false ? " (inactive)" : ""
                Console.out("\(marker)  \(webhook.event)  \(webhook.url)  webhook \(webhook.id)\(state)\n")
            }
            for registration in stored.registrations.values.sorted(by: { $0.subscription.name < $1.subscription.name })
            where !existing.contains(where: { $0.id == registration.webhookId }) {
                Console.out("missing  \(registration.subscription.event)  \(registration.url)  webhook \(registration.webhookId) is gone from EspoCRM: run `espo-ghl-sync webhooks subscribe`\n")
            }
            if existing.isEmpty && stored.registrations.isEmpty {
                Console.out("no webhooks in EspoCRM; run `espo-ghl-sync webhooks subscribe`\n")
            }
        }
    }

    struct Unsubscribe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete the sync's subscriptions in EspoCRM and forget their secrets.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let config = try global.loadConfig()
            let sealer = try WebhooksCommand.sealer(config)
            let client = try Wiring(config: config).espoClient()
            let store = try StateAccess.open(config)
            let stored = try WebhooksCommand.stored(store, sealer: sealer, config: config)
            for registration in stored.registrations.values.sorted(by: { $0.subscription.name < $1.subscription.name }) {
                try await WebhooksCommand.call { try await client.deleteWebhook(id: registration.webhookId) }
                try StateAccess.call { try store.deleteToken(name: RegistrationSealer.slot(registration.subscription)) }
                Console.out("removed  \(registration.subscription.event) webhook \(registration.webhookId)\n")
            }
            Console.out("\(stored.registrations.count) subscriptions removed; EspoCRM's other webhooks were left alone.\n")
        }
    }

    // MARK: - Shared

    /// `serve.publicURL` without a trailing slash, or the error that says how to set it.
    static func publicURL(_ config: Config) throws -> String {
        guard var url = config.serve.publicURL, !url.isEmpty else {
            throw CommandError("""
                \(config.file): $.serve.publicURL is not set; set it to the address at which EspoCRM reaches `serve` \
                (e.g. "serve": {"publicURL": "https://sync.example.com"}); nothing was sent
                """)
        }
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }

    /// The sealer of the subscriptions' secrets, keyed by `$tokenKeyEnv`.
    static func sealer(_ config: Config) throws -> RegistrationSealer {
        do { return try RegistrationSealer(environmentVariable: config.tokenKeyEnv) } catch {
            throw CommandError("\(config.file): $.tokenKeyEnv: \(error.description)")
        }
    }

    /// The subscriptions the state file holds, unsealed.
    static func stored(_ store: StateStore, sealer: RegistrationSealer, config: Config) throws -> EspoSubscriptions {
        do { return try EspoSubscriptions.load(store: store, sealer: sealer) } catch let error as StateStoreError {
            throw CommandError(error.description)
        } catch {
            throw CommandError("\(config.state): \(error) (the key is read from $\(config.tokenKeyEnv); set the one the subscriptions were sealed with)")
        }
    }

    /// Runs an EspoCRM call; its error becomes the command's.
    static func call<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as APIError { throw CommandError(error.description) }
    }
}
