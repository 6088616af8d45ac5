import Emulation
import Foundation
import Testing
import SyncCore
import Transport

@Suite struct TransportTests {
    @Test func aQueryValueWithPlusSpaceAndBracketsArrivesByteExact() async throws {
        let server = try await EmulatorServer.start(ItemsAPI())
        defer { Task { await server.stop() } }
        let transport = itemsTransport(server)
        let value = "+1 415 555-0100 a+b@x.com [0]"
        let json = try await transport.json(Request(.get, "/echo", query: [.init("where[0][value]", value)]))
        #expect(json["query"]?[0]?[0]?.stringValue == "where[0][value]")
        #expect(json["query"]?[0]?[1]?.stringValue == value)
        #expect(json["raw"]?.stringValue?.contains("%2B1%20415") == true)
        await server.stop()
    }

    @Test func serverErrorsOnReadsAreRetriedAndCounted() async throws {
        let api = ItemsAPI()
        let server = try await EmulatorServer.start(api, faults: Faults(serverErrorRate: 0.5, seed: 7))
        let transport = itemsTransport(server, retry: RetryPolicy(maxAttempts: 8, baseDelay: .milliseconds(1)))
        for _ in 0..<20 {
            let json = try await transport.json(Request(.get, "/echo"))
            #expect(json["query"] != nil)
        }
        let counts = transport.counts
        #expect(counts.requests > 20)
        #expect(counts.retries == counts.requests - 20)
        #expect(await server.log.entries.count == counts.requests)
        await server.stop()
    }

    @Test func aCreateWhoseAnswerIsLostIsOutcomeUnknownAndSentOnce() async throws {
        let api = ItemsAPI()
        let server = try await EmulatorServer.start(api, faults: Faults(lostAnswerRate: 1))
        let transport = itemsTransport(server)
        await #expect {
            _ = try await transport.send(Request(.post, "/items", body: .json(["name": "a"])))
        } throws: { error in
            (error as? APIError)?.kind == .outcomeUnknown
        }
        #expect(api.count == 1)
        #expect(transport.counts.requests == 1)
        await server.stop()
    }

    @Test func aCreateAnsweredWithA5xxIsOutcomeUnknownWithItsMessage() async throws {
        let server = try await EmulatorServer.start(ItemsAPI(), faults: Faults(serverErrorRate: 1))
        let transport = itemsTransport(server)
        do {
            _ = try await transport.send(Request(.post, "/items", body: .json(["name": "a"])))
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .outcomeUnknown)
            #expect(error.status == 503)
            #expect(error.traceId == "trace-1")
            #expect(error.message.contains("injected 503"))
        }
        await server.stop()
    }

    @Test func droppedConnectionsOnReadsAreRetried() async throws {
        let server = try await EmulatorServer.start(ItemsAPI(), faults: Faults(dropRate: 0.3, seed: 3))
        let transport = itemsTransport(server, retry: RetryPolicy(maxAttempts: 10, baseDelay: .milliseconds(1)))
        for _ in 0..<10 { _ = try await transport.send(Request(.get, "/echo")) }
        #expect(transport.counts.retries > 0)
        await server.stop()
    }

    @Test func a429BurstIsWaitedOutWithoutUsingRetries() async throws {
        let server = try await EmulatorServer.start(ItemsAPI(), faults: Faults(throttleBurst: 3))
        let transport = itemsTransport(
            server, limit: RateLimit(requests: 100, interval: .milliseconds(50), concurrency: 1))
        _ = try await transport.send(Request(.get, "/echo"))
        #expect(transport.counts.throttled == 3)
        #expect(transport.counts.requests == 4)
        #expect(transport.counts.retries == 0)
        await server.stop()
    }

    @Test func aClientErrorIsNotRetriedAndKeepsItsBody() async throws {
        let server = try await EmulatorServer.start(ItemsAPI())
        let transport = itemsTransport(server)
        do {
            _ = try await transport.send(Request(.get, Request.path("items", "missing+1")))
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .notFound)
            #expect(error.message == "no item missing+1")
            #expect(error.attempts == 1)
        }
        await server.stop()
    }

    @Test func anUnreachableServerIsReportedAsUnreachable() async throws {
        let server = try await EmulatorServer.start(ItemsAPI())
        let url = server.baseURL
        await server.stop()
        let transport = APITransport(
            service: "Items", contractName: "test", baseURL: url, credentials: nil,
            pacer: Pacer(RateLimit(requests: 100, interval: .seconds(1), concurrency: 2)),
            retry: RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(1)))
        do {
            _ = try await transport.send(Request(.post, "/items", body: .json(["name": "a"])))
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .unreachable, "\(error)")
            #expect(error.attempts == 2)
        }
    }

    @Test func controlEndpointsReportTheLogAndSetFaults() async throws {
        let server = try await EmulatorServer.start(ItemsAPI())
        let transport = itemsTransport(server)
        _ = try await transport.send(Request(.post, "/items", body: .json(["name": "a"])))
        let control = itemsTransport(server)
        let log = try await control.json(Request(.get, "/__emulator/log"))
        #expect(log["writes"]?.numberValue == 1)
        #expect(log["byEndpoint"]?["POST /items"]?.numberValue == 1)
        _ = try await control.send(Request(.put, "/__emulator/faults", body: .json(["throttleBurst": 2])))
        #expect(await server.faults.throttleBurst == 2)
        await server.stop()
    }

    @Test func exchangesAreRecordedWithCredentialsRedacted() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("exchanges-\(UUID())").path
        let exchanges = try ExchangeLog(path: folder + "/test.jsonl")
        let server = try await EmulatorServer.start(ItemsAPI(), exchanges: exchanges)
        let transport = APITransport(
            service: "Items", contractName: "test", baseURL: server.baseURL, credentials: StaticKey(),
            pacer: Pacer(.espo), exchanges: exchanges)
        _ = try await transport.send(Request(.post, "/items", body: .json(["name": "a", "refresh_token": "r-secret"])))
        let lines = try String(contentsOfFile: folder + "/test.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        for line in lines {
            #expect(!line.contains("s3cret"))
            #expect(!line.contains("r-secret"))
            let json = try JSON(parsing: String(line))
            #expect(json["requestHeaders"]?["authorization"]?.stringValue == "Bearer <redacted>")
            #expect(json["status"]?.numberValue == 201)
        }
        await server.stop()
    }
}

struct StaticKey: Credentials {
    func headers(for request: Request) async throws(APIError) -> [(name: String, value: String)] {
        [(name: "Authorization", value: "Bearer s3cret")]
    }
}

@Suite struct RateWindowTests {
    @Test func noMoreThanTheLimitStartsInAnyWindow() {
        var window = RateWindow(RateLimit(requests: 10, interval: .seconds(1), concurrency: 1), margin: 0)
        var now = Duration.zero
        var starts: [Duration] = []
        for _ in 0..<100 {
            now = window.nextStart(at: now)
            window.recordStart(at: now)
            starts.append(now)
            now += .milliseconds(7)
        }
        for index in 10..<starts.count {
            #expect(starts[index] - starts[index - 10] >= .seconds(1))
        }
        // 100 starts at 10 per second take about 9 s, not more.
        #expect(starts.last! < .milliseconds(9_700))
    }

    @Test func aLowerServerMaxAndAnExhaustedServerAreAdopted() {
        var window = RateWindow(RateLimit(requests: 100, interval: .seconds(10), concurrency: 1), margin: 0)
        window.recordStart(at: .zero)
        window.observe(Quota(max: 50, remaining: 10, interval: .seconds(10)), at: .zero)
        #expect(window.limit == 50)
        // A smaller remaining alone changes nothing: the answer may describe an older window.
        #expect(window.nextStart(at: .seconds(1)) == .seconds(1))
        // Nothing left on the server while this window has used less than half: wait a whole window.
        window.observe(Quota(remaining: 0), at: .seconds(2))
        #expect(window.nextStart(at: .seconds(2)) == .seconds(12))
    }

    @Test func runningAtTheLimitIsNotMistakenForAnotherClient() {
        var window = RateWindow(RateLimit(requests: 10, interval: .seconds(1), concurrency: 1), margin: 0)
        for step in 0..<9 { window.recordStart(at: .milliseconds(Int64(step) * 100)) }
        // The server counted its tenth arrival and has none left; this window holds nine: no hold.
        window.observe(Quota(remaining: 0), at: .milliseconds(900))
        #expect(window.nextStart(at: .milliseconds(900)) == .milliseconds(900))
    }

    @Test func aRequestKeepsItsPlaceUntilItsAnswer() {
        var window = RateWindow(RateLimit(requests: 1, interval: .seconds(1), concurrency: 1), margin: 0)
        window.recordStart(at: .zero)
        #expect(window.nextStart(at: .milliseconds(500)) == .seconds(1))
        // The answer arrives after 0.8 s, which may be when the server counted it: the place moves there.
        window.recordFinish(startedAt: .zero, at: .milliseconds(800))
        #expect(window.nextStart(at: .seconds(1)) == .milliseconds(1800))
    }

    @Test func aFinishMovesOnlyItsOwnPlace() {
        // Two requests; the second's answer must not take the first one's (older) place.
        var window = RateWindow(RateLimit(requests: 2, interval: .seconds(1), concurrency: 2), margin: 0)
        window.recordStart(at: .zero)
        window.recordStart(at: .milliseconds(500))
        window.recordFinish(startedAt: .milliseconds(500), at: .milliseconds(501))
        // The first place still frees at 1 s; before this fix it moved to 1.501 s.
        #expect(window.nextStart(at: .milliseconds(600)) == .seconds(1))
    }

    @Test func aHoldDelaysEveryStart() {
        var window = RateWindow(RateLimit(requests: 100, interval: .seconds(10), concurrency: 1))
        window.hold(until: .seconds(3))
        #expect(window.nextStart(at: .seconds(1)) == .seconds(3))
        #expect(window.nextStart(at: .seconds(4)) == .seconds(4))
    }

    @Test func theDailyQuotaRunsOut() {
        var window = RateWindow(RateLimit(requests: 100, interval: .seconds(10), daily: 2, concurrency: 1))
        window.recordStart(at: .zero)
        #expect(!window.isDailyQuotaSpent)
        window.recordStart(at: .zero)
        #expect(window.isDailyQuotaSpent)
    }

    @Test func backoffGrowsAndIsCapped() {
        let policy = RetryPolicy(baseDelay: .milliseconds(100), maxDelay: .seconds(1))
        #expect(policy.delay(afterAttempt: 1, unit: 1) == .milliseconds(100))
        #expect(policy.delay(afterAttempt: 3, unit: 1) == .milliseconds(400))
        #expect(policy.delay(afterAttempt: 3, unit: 0) == .milliseconds(200))
        #expect(policy.delay(afterAttempt: 30, unit: 1) == .seconds(1))
    }

    @Test func percentEncodingEscapesPlusSpaceAndBrackets() {
        #expect(PercentEncoding.encode("a+b c[0]@é") == "a%2Bb%20c%5B0%5D%40%C3%A9")
        #expect(PercentEncoding.decode("a%2Bb+c", plusIsSpace: true) == "a+b c")
    }
}
