import Emulation
import Foundation
import GHLClient
import GHLEmulator
import SyncCore
import Testing
import Transport

@Suite struct PacingTests {
    /// 160 calls at GHL's default limit (100 per 10 s) through eight workers: one window boundary, about 11 s
    /// alone (longer while the whole suite loads the machine, since the pacer then waits for slow answers).
    @Test func atTheDefaultLimitFewerThanOnePercentOfRequestsAreThrottled() async throws {
        let h = try await Harness.start(settings: .init(), limit: .ghl)
        await h.emulator.seed(location: Harness.location, contacts: 10, perContact: 0)
        let ids = await h.emulator.contactIds(location: Harness.location)
        let calls = 160
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for call in stride(from: worker, to: calls, by: 8) { _ = try await h.client.contact(ids[call % ids.count]) }
                }
            }
            try await group.waitForAll()
        }
        let throttled = await h.server.log.throttled
        let requests = await h.server.log.entries.count
        #expect(requests >= calls)
        #expect(Double(throttled) < 0.01 * Double(requests), "\(throttled) of \(requests) requests were answered 429")
        await h.stop()
    }

    @Test func theRateLimitHeadersAreReadWhateverTheirCase() {
        let response = Response(status: 200, headers: [
            ("x-ratelimit-max", "50"), ("X-RATELIMIT-REMAINING", "7"), ("X-RateLimit-Interval-Milliseconds", "5000"),
            ("x-ratelimit-daily-remaining", "1200"), ("X-RateLimit-Limit-Daily", "200000"),
        ])
        #expect(GHLAnswers.quota(response) == Quota(max: 50, remaining: 7, interval: .seconds(5), dailyRemaining: 1200))
        #expect(GHLAnswers.quota(Response(status: 200)) == nil)
    }

    @Test func aLocationThatAllowsLessSlowsTheClientDownThroughTheHeaders() async throws {
        let h = try await Harness.start(settings: .init(), limit: .ghl)
        await h.emulator.setRateLimit(RateLimit(requests: 20, interval: .seconds(2), daily: 200_000, concurrency: 8), location: Harness.location)
        await h.emulator.seed(location: Harness.location, contacts: 1, perContact: 0)
        let id = try #require(await h.emulator.contactIds(location: Harness.location).first)
        for _ in 0..<45 { _ = try await h.client.contact(id) }
        #expect(await h.server.log.throttled == 0)
        #expect(await h.client.transport.pacer.dailyRemaining == 200_000 - 45)
        await h.stop()
    }

    @Test func aThrottleBurstIsWaitedOut() async throws {
        let h = try await Harness.start(faults: Faults(throttleBurst: 3), limit: RateLimit(requests: 100, interval: .milliseconds(100), concurrency: 1))
        #expect(try await h.client.customFields().count == 3)
        #expect(h.client.counts.throttled == 3)
        #expect(h.client.counts.retries == 0)
        await h.stop()
    }
}

@Suite struct FaultTests {
    @Test func serverErrorsAndDroppedConnectionsAreRetriedForReadsAndIdempotentWrites() async throws {
        let h = try await Harness.start(faults: Faults(serverErrorRate: 0.2, dropRate: 0.1, seed: 11))
        await h.emulator.seed(location: Harness.location, contacts: 30, perContact: 0)
        let ids = await h.emulator.contactIds(location: Harness.location)
        for id in ids {
            #expect(try await h.client.contact(id).id == id)
            _ = try await h.client.updateContact(id, ["city": "Retried"])
        }
        #expect(h.client.counts.retries > 0)
        #expect(await h.server.log.entries.count == h.client.counts.requests)
        await h.stop()
    }

    @Test func aCreateWhoseAnswerIsLostIsOutcomeUnknownAndNotRepeated() async throws {
        let h = try await Harness.start(faults: Faults(lostAnswerRate: 1))
        let error = await apiError { try await h.client.createContact(["email": "lost+1@example.com"]) }
        #expect(error?.kind == .outcomeUnknown)
        #expect(h.client.counts.byEndpoint["POST /contacts/"] == 1)
        #expect(await h.emulator.contactCount(location: Harness.location) == 1)
        await h.stop()
    }

    /// GHL has been seen to create a contact and answer 422 (FACTS §10.4): the caller gets the 422 and
    /// finds the contact by its email before trying again.
    @Test func aCreateAnswered422AfterItWasAppliedCanBeReconciled() async throws {
        let h = try await Harness.start(faults: Faults(appliedButRejectedRate: 1))
        let error = await apiError { try await h.client.createContact(["email": "ghost+1@example.com"]) }
        #expect(error?.status == 422 && error?.kind == .rejected)
        #expect(error?.traceId != nil)
        await h.server.setFaults(.none)
        var found: [Contact] = []
        for try await page in h.client.listContacts(query: "ghost+1@example.com") { found += page }
        #expect(found.count == 1)
        #expect(h.client.counts.byEndpoint["POST /contacts/"] == 1)
        await h.stop()
    }
}
