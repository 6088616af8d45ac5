import Foundation
import HTTPTypes
import NIOCore
import NIOHTTPTypes
import Synchronization
import Transport

/// The clock an emulated server keeps: the true time plus an offset, as on a server whose clock has
/// drifted. It shows in the `Date` header of every answer (and, where an emulator reads it, in the
/// times it writes).
public final class ServerClock: Sendable {
    private let offsetSeconds = Mutex<Int64>(0)

    public init() {}

    /// Seconds the server's clock is ahead of the true time (negative: behind).
    public var offset: Int64 { offsetSeconds.withLock { $0 } }

    /// Sets the drift: `seconds` ahead of the true time (negative: behind).
    public func set(offset seconds: Int64) { offsetSeconds.withLock { $0 = seconds } }

    /// The server's idea of now.
    public var now: Date { Date().addingTimeInterval(TimeInterval(offset)) }
}

/// Rewrites the `Date` header Hummingbird stamps on every answer (always the true time) with the
/// emulator's clock, when that has drifted.
final class DateHeaderClock: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let clock: ServerClock

    init(_ clock: ServerClock) { self.clock = clock }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        var part = unwrapOutboundIn(data)
        if case .head(var head) = part, clock.offset != 0 {
            head.headerFields[.date] = HTTPDate.format(clock.now)
            part = .head(head)
        }
        context.write(wrapOutboundOut(part), promise: promise)
    }
}
