import Foundation
import SyncCore
import Testing
import Transport

/// The contract recorder's file, written by several logs at once, as a client and its OAuth session
/// in one process (both `cli-ghl-PID.jsonl`) write it.
@Suite struct ExchangeLogTests {
    @Test func twoLogsOnOneFileAppendWholeLinesAndNeverOverwriteEachOther() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("exchange-log-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/cli-ghl-1.jsonl"
        let logs = [try ExchangeLog(path: path), try ExchangeLog(path: path)]
        func exchange(_ writer: Int, _ number: Int) -> Exchange {
            Exchange(
                service: "ghl", method: "GET", path: "/w\(writer)/\(number)", query: [], requestHeaders: [], requestBody: nil,
                status: 200, responseHeaders: [], responseBody: Array(String(repeating: "x", count: 300 * (number % 7)).utf8),
                recordedBy: "client")
        }
        await withTaskGroup(of: Void.self) { group in
            for (writer, log) in logs.enumerated() {
                group.addTask { for number in 0..<200 { log.record(exchange(writer, number)) } }
            }
        }
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 400)
        let paths = Set(try lines.map { try #require(try JSON(parsing: String($0))["path"]?.stringValue) })
        #expect(paths.count == 400)
    }
}
