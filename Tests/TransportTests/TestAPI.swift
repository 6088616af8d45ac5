import Emulation
import Synchronization
import SyncCore
import Transport

/// A tiny API for testing the shared transport and server: `GET /items/{id}`, `POST /items`.
final class ItemsAPI: EmulatedAPI {
    let contractName = "test"
    private let items = Mutex<[String: String]>([:])
    private let counter = Mutex(0)

    var count: Int { items.withLock { $0.count } }

    func route(_ request: ServedRequest) -> Route? {
        switch (request.method, request.segments.count) {
        case ("GET", 2): Route("GET /items/{id}", isWrite: false)
        case ("POST", 1): Route("POST /items", isWrite: true)
        case ("GET", 1): Route("GET /echo", isWrite: false)
        default: nil
        }
    }

    func respond(to request: ServedRequest) async -> ServedResponse {
        switch (request.method, request.segments.count) {
        case ("GET", 1):
            let pairs = request.query(plusIsSpace: true).map { JSON.array([.string($0.name), .string($0.value)]) }
            return .json(200, .object(["query": .array(pairs), "raw": .string(request.rawQuery)]))
        case ("GET", 2):
            let id = request.segments[1]
            guard let name = items.withLock({ $0[id] }) else { return .json(404, .object(["message": .string("no item \(id)")])) }
            return .json(200, .object(["id": .string(id), "name": .string(name)]))
        case ("POST", 1):
            let name = (try? request.json())?["name"]?.stringValue ?? ""
            let id = counter.withLock { $0 += 1; return "i\($0)" }
            items.withLock { $0[id] = name }
            return .json(201, .object(["id": .string(id), "name": .string(name)]))
        default:
            return .json(404, .object(["message": "no route"]))
        }
    }

    func faultAnswer(status: Int, for request: ServedRequest) async -> ServedResponse {
        .json(status, .object(["message": .string("injected \(status)"), "traceId": "trace-1"]))
    }
}

/// Reads `{message, traceId}` out of an error answer.
let itemsMessage: @Sendable (Response) -> (message: String, traceId: String?) = { response in
    let json = try? response.json()
    return (json?["message"]?.stringValue ?? "HTTP \(response.status)", json?["traceId"]?.stringValue)
}

func itemsTransport(_ server: EmulatorServer, retry: RetryPolicy = RetryPolicy(baseDelay: .milliseconds(5)),
                    limit: RateLimit = RateLimit(requests: 1000, interval: .seconds(1), concurrency: 8)) -> APITransport {
    APITransport(
        service: "Items", contractName: "test", baseURL: server.baseURL, credentials: nil, pacer: Pacer(limit),
        retry: retry, describe: itemsMessage)
}
