import Emulation
import Foundation
import SyncCore

/// Where and how the emulator posts GHL's Marketplace app webhooks.
public struct GHLWebhookConfiguration: Sendable {
    /// Which signature headers each POST carries.
    public enum Signatures: Sendable, Equatable {
        /// `x-ghl-signature` (Ed25519) and `x-wh-signature` (RSA), as GHL sends today.
        case both
        /// Only `x-wh-signature`, as older deliveries had.
        case rsaOnly
        /// Only `x-ghl-signature`, as after the RSA header's retirement.
        case ed25519Only
    }

    /// The app's webhook URL.
    public var url: String
    public var keys: GHLWebhookKeys
    public var signatures: Signatures
    /// How long a 429 waits before it is sent again (GHL: about 10 minutes).
    public var retryDelay: Duration
    /// How many times a 429 is sent again (GHL: 6); any other failure is never retried.
    public var maxRetries: Int
    /// How long a POST may take before the event counts as lost.
    public var timeout: Duration
    /// Whether `TaskCreate` carries `contactId` and `body` as documented; the real service leaves
    /// both out (#332), and so does the emulator unless this is set.
    public var taskCreateCarriesContact: Bool

    public init(
        url: String, keys: GHLWebhookKeys = .test, signatures: Signatures = .both, retryDelay: Duration = .seconds(600),
        maxRetries: Int = 6, timeout: Duration = .seconds(10), taskCreateCarriesContact: Bool = false
    ) {
        self.url = url
        self.keys = keys
        self.signatures = signatures
        self.retryDelay = retryDelay
        self.maxRetries = maxRetries
        self.timeout = timeout
        self.taskCreateCarriesContact = taskCreateCarriesContact
    }
}

/// Webhooks as a Marketplace app receives them (wave2 D.1). Off until `deliverWebhooks`. Every change
/// to a contact, task, note or appointment, through the API or through the seeding and editing
/// helpers, posts its events: ContactCreate/Update/Delete/TagUpdate, NoteCreate/Update/Delete,
/// TaskCreate/Complete/Delete, AppointmentCreate/Update/Delete (see `RecordChange.events` for which
/// change sends which). Changes the sync itself makes fire too: GHL has no way to skip one's own.
extension GHLEmulator {
    /// Starts posting webhooks as `configuration` says (replacing any earlier configuration, whose
    /// queued events are dropped).
    public func deliverWebhooks(_ configuration: GHLWebhookConfiguration) {
        webhookSender?.stop()
        webhookSender = GHLWebhookSender(configuration)
    }

    /// Starts posting webhooks to `url`, signed with `keys`.
    public func deliverWebhooks(to url: String, signing keys: GHLWebhookKeys = .test, retryDelay: Duration = .seconds(600)) {
        deliverWebhooks(GHLWebhookConfiguration(url: url, keys: keys, retryDelay: retryDelay))
    }

    /// Stops posting webhooks; queued events are dropped, later changes send nothing.
    public func stopWebhooks() {
        webhookSender?.stop()
        webhookSender = nil
    }

    /// Holds the webhooks after those in flight; changes keep queueing until `resumeWebhooks()`.
    public func pauseWebhooks() { webhookSender?.pause() }

    public func resumeWebhooks() { webhookSender?.resume() }

    /// Returns once every queued webhook was posted and no 429 is waiting to be retried (at once when
    /// none are configured). While paused with events queued it waits for `resumeWebhooks()`.
    public func webhooksDrained() async {
        guard let sender = webhookSender else { return }
        await sender.drained()
    }

    /// Every webhook POST so far (of the current configuration), in the order they were answered.
    public var webhookDeliveries: [WebhookDeliveryRecord] { webhookSender?.deliveries ?? [] }

    /// Turns the locations' recorded changes into queued webhooks (or forgets them when none are
    /// configured). Runs after every write to `locations`.
    func publishChanges() {
        let changed = locations.compactMap { $0.value.changes.isEmpty ? nil : $0.key }
        guard !changed.isEmpty else { return }
        for location in changed.sorted() {
            let changes = locations[location]!.changes
            locations[location]!.changes.removeAll()
            guard let sender = webhookSender else { continue }
            let data = locations[location]!
            for change in changes {
                for event in change.events(location: data, taskCreateCarriesContact: sender.configuration.taskCreateCarriesContact) {
                    var body = event.body
                    let webhookId = UUID().uuidString.lowercased()
                    body["timestamp"] = .string(GHLTime.iso(Int64(Date().timeIntervalSince1970 * 1000)))
                    body["webhookId"] = .string(webhookId)
                    sender.enqueue(.init(
                        name: event.name, location: location, webhookId: webhookId, body: JSON.object(body).serializedBytes(),
                        attempt: 1))
                }
            }
        }
    }
}
