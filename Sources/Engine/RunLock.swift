import Foundation

/// The lock that keeps two runs off one state file: an exclusive `flock` on `STATE.lock`, which the
/// operating system releases when the process ends, however it ends. The file names its holder
/// (process id and role), so a `sync` finding `serve`'s worker there waits for it instead of failing.
public final class RunLock: Sendable {
    /// Who holds the lock: a batch run or `serve`'s worker (which holds it a few seconds per pass).
    public enum Holder: String, Sendable { case run, serve }

    public let path: String
    private let descriptor: Int32

    /// Takes the lock for the state file at `statePath`, or throws `EngineError.busy` when another
    /// process holds it. While a holder in `waitingFor` has it, waits up to `maxWait` seconds for it.
    public init(
        statePath: String, as holder: Holder = .run, waitingFor: Set<Holder> = [.serve], maxWait: TimeInterval = 600
    ) throws(EngineError) {
        path = statePath + ".lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw EngineError.lock(path: path, reason: String(cString: strerror(errno)))
        }
        let deadline = Date().addingTimeInterval(maxWait)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let reason = errno
            guard reason == EWOULDBLOCK else {
                close(fd)
                throw EngineError.lock(path: path, reason: String(cString: strerror(reason)))
            }
            guard let current = Self.holder(fd), waitingFor.contains(current), Date() < deadline else {
                close(fd)
                throw EngineError.busy(path: statePath)
            }
            usleep(100_000)
        }
        let content = "\(getpid())\n\(holder.rawValue)\n"
        _ = ftruncate(fd, 0)
        _ = content.withCString { pwrite(fd, $0, strlen($0), 0) }
        descriptor = fd
    }

    /// The holder the lock file names (written by whoever holds it).
    private static func holder(_ fd: Int32) -> Holder? {
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = pread(fd, &buffer, buffer.count, 0)
        guard count > 0 else { return nil }
        let lines = String(decoding: buffer[..<count], as: UTF8.self).split(separator: "\n")
        return lines.count > 1 ? Holder(rawValue: String(lines[1])) : nil
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

/// `serve`'s claim on a state file for as long as it runs: `serve` keeps the sealing key in memory
/// (it seals refreshed tokens and opens webhook secrets with it), and holds the run lock only during
/// passes, so `auth rotate-key` needs a lock of its own. It is a `flock` on `STATE.serve.lock`, shared by
/// every `serve` and taken exclusively by a rotation; the system releases it when the process ends.
public final class ServeLock: Sendable {
    /// Who takes it: a running `serve` (shared), or a key rotation (exclusive).
    public enum Claim: Sendable { case serving, rotating }

    public let path: String
    private let descriptor: Int32

    /// Takes the lock for the state file at `statePath` without waiting; throws when the other claim holds it.
    public init(statePath: String, _ claim: Claim) throws(ServeLockError) {
        path = statePath + ".serve.lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ServeLockError(message: "cannot open \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, (claim == .serving ? LOCK_SH : LOCK_EX) | LOCK_NB) == 0 else {
            let reason = errno
            close(fd)
            guard reason == EWOULDBLOCK else {
                throw ServeLockError(message: "cannot lock \(path): \(String(cString: strerror(reason)))")
            }
            switch claim {
            case .serving:
                throw ServeLockError(message: "`espo-ghl-sync auth rotate-key` is re-sealing the secrets of \(statePath); start serve again once it has finished, with the new key in the token key variable")
            case .rotating:
                throw ServeLockError(message: "`espo-ghl-sync serve` is running on \(statePath) (it holds \(path)) and keeps the current key in memory: stop it (SIGTERM, e.g. `systemctl stop`), run `auth rotate-key` again, then start serve with the new key; nothing was changed")
            }
        }
        descriptor = fd
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

/// A serve lock that cannot be taken, with what to do.
public struct ServeLockError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
