import Foundation

/// The lock that keeps two runs off one state file: an exclusive `flock` on `STATE.lock`, which the
/// operating system releases when the process ends, however it ends.
public final class RunLock: Sendable {
    public let path: String
    private let descriptor: Int32

    /// Takes the lock for the state file at `statePath`, or throws `EngineError.busy` when another
    /// process holds it.
    public init(statePath: String) throws(EngineError) {
        path = statePath + ".lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw EngineError.lock(path: path, reason: String(cString: strerror(errno)))
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno
            close(fd)
            if reason == EWOULDBLOCK {
                throw EngineError.busy(path: statePath)
            }
            throw EngineError.lock(path: path, reason: String(cString: strerror(reason)))
        }
        let pid = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = pid.withCString { write(fd, $0, strlen($0)) }
        descriptor = fd
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
