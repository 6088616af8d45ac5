import Emulation
import Synchronization
import Testing
import Transport

/// What a transport tells its observer: every attempt, with its answer's status or none.
@Suite struct CallObserverTests {
    final class Heard: Sendable {
        let events = Mutex<[CallEvent]>([])
        var observer: CallObserver { { [self] event in events.withLock { $0.append(event) } } }
        var statuses: [Int?] { events.withLock { $0.map(\.status) } }
    }

    @Test func everyAttemptIsHeardWithItsStatusThrottlesAndRetriesIncluded() async throws {
        let server = try await EmulatorServer.start(ItemsAPI(), faults: Faults(throttleBurst: 2))
        let heard = Heard()
        let transport = itemsTransport(server, limit: RateLimit(requests: 100, interval: .milliseconds(50), concurrency: 1))
        transport.observeCalls(heard.observer)
        _ = try await transport.send(Request(.get, "/echo"))
        await #expect(throws: APIError.self) { _ = try await transport.send(Request(.get, Request.path("items", "missing"))) }
        _ = try await transport.send(Request(.post, "/items", body: .json(["name": "a"])))
        #expect(heard.statuses == [429, 429, 200, 404, 201])
        #expect(heard.events.withLock { $0.map(\.service) } == Array(repeating: "test", count: 5))
        #expect(heard.events.withLock { $0[3].endpoint } == "GET /items/missing")
        #expect(await server.log.entries.map(\.status) == [429, 429, 200, 404, 201])
        await server.stop()
    }

    @Test func anAttemptWithoutAnAnswerIsHeardWithNoStatus() async throws {
        let server = try await EmulatorServer.start(ItemsAPI(), faults: Faults(lostAnswerRate: 1))
        let heard = Heard()
        let transport = itemsTransport(server)
        transport.observeCalls(heard.observer)
        await #expect(throws: APIError.self) { _ = try await transport.send(Request(.post, "/items", body: .json(["name": "a"]))) }
        #expect(heard.statuses == [nil])
        await server.stop()
    }

    @Test func aTransportWithoutAnObserverAndOneWhoseObserverIsRemovedTellNothing() async throws {
        let server = try await EmulatorServer.start(ItemsAPI())
        let heard = Heard()
        let transport = itemsTransport(server)
        _ = try await transport.send(Request(.get, "/echo"))
        transport.observeCalls(heard.observer)
        _ = try await transport.send(Request(.get, "/echo"))
        transport.observeCalls(nil)
        _ = try await transport.send(Request(.get, "/echo"))
        #expect(heard.statuses == [200])
        #expect(transport.counts.requests == 3)
        await server.stop()
    }
}
