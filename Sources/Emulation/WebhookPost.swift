import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// One webhook POST as an emulated service sends it, and what became of it. Both emulators deliver
/// through it: the exact body bytes they signed, their headers, redirects never followed (a 3xx is
/// the answer), a connect timeout of 5 s and a total timeout per call.
public enum WebhookPost {
    /// What one POST came to.
    public enum Outcome: Sendable, Equatable {
        /// The receiver answered with this status.
        case answered(Int)
        /// No answer within the timeout.
        case timedOut
        /// No connection (refused, reset, unknown host), with the reason.
        case unreachable(String)
    }

    /// Sends `body` to `url` with `headers` (and `Content-Type: application/json` unless given);
    /// `timeout` bounds the whole call.
    public static func send(
        to url: String, body: [UInt8], headers: [(name: String, value: String)], timeout: Duration
    ) async -> Outcome {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        if !headers.contains(where: { $0.name.lowercased() == "content-type" }) {
            request.headers.add(name: "Content-Type", value: "application/json")
        }
        for header in headers { request.headers.add(name: header.name, value: header.value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(request, timeout: timeAmount(timeout))
            _ = try? await response.body.collect(upTo: 1 << 20)
            return .answered(Int(response.status.code))
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            return .timedOut
        } catch {
            return .unreachable("\(error)")
        }
    }

    /// One client for every webhook POST of the process: no redirects, 5 s to connect.
    private static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(5))
        configuration.redirectConfiguration = .disallow
        configuration.httpVersion = .http1Only
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    private static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

/// One webhook POST an emulator made, for tests to read: which event or subscription, the answer,
/// the attempt, and what the emulator did next.
public struct WebhookDeliveryRecord: Sendable, Equatable {
    /// What the emulator did after the answer.
    public enum Result: String, Sendable {
        /// Accepted (GHL: 2xx; EspoCRM: 2xx or 3xx).
        case delivered
        /// Failed; the same event (or batch) is sent again later.
        case willRetry
        /// Failed for good: the event (or batch) is dropped.
        case dropped
        /// EspoCRM only: the receiver answered 410 and the subscription was deleted.
        case subscriptionDeleted
    }

    /// GHL: the event (`ContactUpdate`); EspoCRM: the subscription's event (`Contact.update`).
    public var event: String
    /// EspoCRM: the subscription (`Webhook` id); GHL: the body's `webhookId`.
    public var id: String
    public var url: String
    /// The answer's status; 0 when none came (no connection), 408 when EspoCRM timed out.
    public var status: Int
    /// 1 for the first POST of this event or batch.
    public var attempt: Int
    /// Events in the POST (GHL: always 1).
    public var items: Int
    public var result: Result

    public init(event: String, id: String, url: String, status: Int, attempt: Int, items: Int, result: Result) {
        self.event = event
        self.id = id
        self.url = url
        self.status = status
        self.attempt = attempt
        self.items = items
        self.result = result
    }
}
