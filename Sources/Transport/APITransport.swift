import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import SyncCore

/// Sends one API's requests: paced by a shared `Pacer`, authorized by `Credentials`, retried by a
/// `RetryPolicy`, recorded to an `ExchangeLog`.
///
/// Rules, the same for both APIs:
/// - a request that could not connect is retried, whatever its method;
/// - 5xx answers, timeouts and dropped connections are retried only for idempotent requests; for any
///   other write the result is `APIError.Kind.outcomeUnknown`, never a blind second send;
/// - a 429 holds the pacer for the server's window and the call waits and retries;
/// - a 401 asks the credentials to renew once, then retries once.
public final class APITransport: Sendable {
    /// `GHL` or `EspoCRM`, used in errors and logs.
    public let service: String
    /// Scheme, host and any path prefix, without a trailing slash.
    public let baseURL: String
    public let credentials: (any Credentials)?
    public let pacer: Pacer
    public let retry: RetryPolicy
    /// Reads the server's rate-limit headers, for APIs that send them.
    public let quota: (@Sendable (Response) -> Quota?)?
    /// Pulls an API's error message and trace id out of a failed answer.
    public let describe: @Sendable (Response) -> (message: String, traceId: String?)
    public let exchanges: ExchangeLog?
    /// `ghl` or `espo`, the contract checker's name for the spec.
    public let contractName: String
    let logger: Logger
    private let counter = CallCounter()
    private let observer: Mutex<CallObserver?>
    private let http: HTTPClient

    public init(
        service: String, contractName: String, baseURL: String, credentials: (any Credentials)?,
        pacer: Pacer, retry: RetryPolicy = .standard, quota: (@Sendable (Response) -> Quota?)? = nil,
        describe: @escaping @Sendable (Response) -> (message: String, traceId: String?) = APITransport.plainMessage,
        exchanges: ExchangeLog? = nil, logger: Logger = Logger(label: "espo-ghl-sync.transport"),
        observer: CallObserver? = nil
    ) {
        self.service = service
        self.contractName = contractName
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.credentials = credentials
        self.pacer = pacer
        self.retry = retry
        self.quota = quota
        self.describe = describe
        self.exchanges = exchanges
        self.logger = logger
        self.observer = Mutex(observer)
        self.http = APITransport.sharedClient
    }

    /// The requests sent so far.
    public var counts: CallCounts { counter.snapshot }

    /// Tells `observer` (replacing any earlier one; nil: none) of every attempt from now on, as its
    /// answer arrives: for metrics on transports that a client built.
    public func observeCalls(_ observer: CallObserver?) {
        self.observer.withLock { $0 = observer }
    }

    private func notify(_ request: Request, status: Int?) {
        guard let observer = observer.withLock({ $0 }) else { return }
        observer(CallEvent(service: contractName, endpoint: request.endpoint, status: status))
    }

    /// One HTTP client for the whole process: pooled connections, never shut down.
    static let sharedClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        configuration.timeout = .init(connect: .seconds(5))
        configuration.httpVersion = .http1Only
        configuration.decompression = .enabled(limit: .ratio(100))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// The error message for answers with no API-specific shape: the body's text, shortened.
    public static let plainMessage: @Sendable (Response) -> (message: String, traceId: String?) = { response in
        let text = response.text.trimmingCharacters(in: .whitespacesAndNewlines)
        return (text.isEmpty ? "HTTP \(response.status)" : String(text.prefix(500)), nil)
    }

    /// Sends `request` and returns its 2xx answer, or throws an `APIError` that says what happened.
    public func send(_ request: Request) async throws(APIError) -> Response {
        var attempts = 0
        var throttleWaits = 0
        var renewed = false
        var random = SystemRandomNumberGenerator()
        while true {
            attempts += 1
            let outcome: Outcome
            let sentAuthorization = AuthorizationSent()
            do {
                outcome = try await sendOnce(request, authorization: sentAuthorization)
            } catch let error as APIError {
                throw error
            } catch is CancellationError {
                throw failure(.cancelled, request, message: "cancelled", attempts: attempts)
            } catch is Pacer.DailyQuotaSpent {
                throw failure(.dailyQuotaExhausted, request, message: "the daily request quota is spent", attempts: attempts - 1)
            } catch {
                throw failure(.invalidResponse, request, message: "\(error)", attempts: attempts)
            }
            let wait: Duration
            switch outcome {
            case .answered(let response) where (200..<300).contains(response.status):
                return response
            case .answered(let response) where response.status == 401:
                if !renewed, let credentials, try await credentials.renew(after: response, sent: sentAuthorization.headers) {
                    renewed = true
                    attempts -= 1
                    continue
                }
                throw failure(.unauthorized, request, response: response, attempts: attempts)
            case .answered(let response) where response.status == 429:
                counter.throttled()
                let said = quota?(response)
                if let daily = said?.dailyRemaining, daily <= 0 {
                    throw failure(.dailyQuotaExhausted, request, response: response, attempts: attempts)
                }
                throttleWaits += 1
                guard throttleWaits <= retry.maxThrottleWaits else {
                    throw failure(.rateLimited, request, response: response, attempts: attempts)
                }
                await pacer.holdAfterThrottle(said?.retryAfter)
                logger.debug("throttled", metadata: ["endpoint": "\(request.endpoint)"])
                attempts -= 1
                continue
            case .answered(let response) where response.status >= 500:
                guard request.isIdempotent else {
                    throw failure(.outcomeUnknown, request, response: response, attempts: attempts,
                                  note: "the server failed after receiving the write; it may have been applied")
                }
                guard attempts < retry.maxAttempts else {
                    throw failure(.serverFailed, request, response: response, attempts: attempts)
                }
                wait = retry.delay(afterAttempt: attempts, unit: Double.random(in: 0..<1, using: &random))
            case .answered(let response):
                throw failure(kind(ofStatus: response.status), request, response: response, attempts: attempts)
            case .notSent(let reason):
                guard attempts < retry.maxAttempts else {
                    throw failure(.unreachable, request, message: reason, attempts: attempts)
                }
                wait = retry.delay(afterAttempt: attempts, unit: Double.random(in: 0..<1, using: &random))
            case .answerLost(let reason):
                guard request.isIdempotent else {
                    throw failure(.outcomeUnknown, request, message: "\(reason); the write may have been applied",
                                  attempts: attempts)
                }
                guard attempts < retry.maxAttempts else {
                    throw failure(.serverFailed, request, message: reason, attempts: attempts)
                }
                wait = retry.delay(afterAttempt: attempts, unit: Double.random(in: 0..<1, using: &random))
            }
            counter.retried()
            logger.debug("retrying", metadata: ["endpoint": "\(request.endpoint)", "attempt": "\(attempts + 1)"])
            do { try await Task.sleep(for: wait) } catch {
                throw failure(.cancelled, request, message: "cancelled", attempts: attempts)
            }
        }
    }

    /// Sends `request` and parses its answer as JSON.
    public func json(_ request: Request) async throws(APIError) -> JSON {
        let response = try await send(request)
        do { return try response.json() } catch {
            throw APIError(
                .invalidResponse, service: service, endpoint: request.endpoint, status: response.status,
                message: "the answer is not JSON: \(error)", response: response)
        }
    }

    private enum Outcome {
        case answered(Response)
        case notSent(String)
        case answerLost(String)
    }

    /// The authorization headers one attempt carried, for `Credentials.renew(after:sent:)`.
    private final class AuthorizationSent: @unchecked Sendable {
        var headers: [(name: String, value: String)] = []
    }

    private func sendOnce(_ request: Request, authorization sent: AuthorizationSent) async throws -> Outcome {
        let ticket = try await pacer.acquire()
        var released = false
        defer { if !released { Task { [pacer] in await pacer.release(ticket) } } }
        var authorization: [(name: String, value: String)] = []
        if let credentials { authorization = try await credentials.headers(for: request) }
        sent.headers = authorization

        let query = request.encodedQuery
        var http = HTTPClientRequest(url: baseURL + request.path + (query.isEmpty ? "" : "?" + query))
        http.method = NIOHTTP1.HTTPMethod(rawValue: request.method.rawValue)
        var sentHeaders = request.headers + authorization
        sentHeaders.append((name: "Accept", value: "application/json"))
        switch request.body {
        case .json(let body):
            sentHeaders.append((name: "Content-Type", value: "application/json"))
            http.body = .bytes(ByteBuffer(bytes: body.serializedBytes()))
        case .form(let fields):
            sentHeaders.append((name: "Content-Type", value: "application/x-www-form-urlencoded"))
            let encoded = fields.map { PercentEncoding.encode($0.name) + "=" + PercentEncoding.encode($0.value) }
                .joined(separator: "&")
            http.body = .bytes(ByteBuffer(string: encoded))
        case nil: break
        }
        for (name, value) in sentHeaders { http.headers.add(name: name, value: value) }

        counter.sent(request.endpoint)
        let response: Response
        do {
            let answer = try await self.http.execute(http, timeout: TimeAmount(retry.timeout))
            var body = try await answer.body.collect(upTo: 64 << 20)
            response = Response(
                status: Int(answer.status.code),
                headers: answer.headers.map { (name: $0.name, value: $0.value) },
                body: body.readBytes(length: body.readableBytes) ?? [])
        } catch {
            released = true
            await pacer.release(ticket)
            if error is CancellationError { throw error }
            notify(request, status: nil)
            return APITransport.neverSent(error) ? .notSent("\(error)") : .answerLost("\(error)")
        }
        released = true
        await pacer.release(ticket)
        notify(request, status: response.status)
        if let said = quota?(response) { await pacer.observe(said) }
        exchanges?.record(Exchange(
            service: contractName, method: request.method.rawValue, path: request.path, query: request.query,
            requestHeaders: sentHeaders, requestBody: request.body, status: response.status,
            responseHeaders: response.headers, responseBody: response.body, recordedBy: "client"))
        logger.debug("answered", metadata: ["endpoint": "\(request.endpoint)", "status": "\(response.status)"])
        return .answered(response)
    }

    /// Errors raised before a request left this process: safe to retry whatever the method.
    static func neverSent(_ error: any Error) -> Bool {
        if error is NIOConnectionError { return true }
        if let error = error as? HTTPClientError {
            return error == .connectTimeout || error == .getConnectionFromPoolTimeout
                || error == .alreadyShutdown
        }
        if let error = error as? ChannelError, case .connectTimeout = error { return true }
        if let error = error as? IOError {
            return [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL].contains(error.errnoCode)
        }
        return false
    }

    private func kind(ofStatus status: Int) -> APIError.Kind {
        switch status {
        case 401: .unauthorized
        case 403: .forbidden
        case 404: .notFound
        case 409: .conflict
        default: .rejected
        }
    }

    private func failure(
        _ kind: APIError.Kind, _ request: Request, response: Response, attempts: Int, note: String? = nil
    ) -> APIError {
        let said = describe(response)
        let message = note.map { "\(said.message) — \($0)" } ?? said.message
        return APIError(
            kind, service: service, endpoint: request.endpoint, status: response.status, message: message,
            traceId: said.traceId, attempts: attempts, response: response)
    }

    private func failure(_ kind: APIError.Kind, _ request: Request, message: String, attempts: Int) -> APIError {
        APIError(kind, service: service, endpoint: request.endpoint, message: message, attempts: attempts)
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
