import SyncCore
import Transport

extension GHLClient {
    /// The page sizes `forEachTaskPage` tries, largest first. GHL states no maximum for
    /// `tasks/search` (default 25; wave2 A.1 ⚠U): a 422 that names `limit` steps down to the next.
    public static let taskSearchLimits = [100, 50, 25]
    /// The largest `tasks/search` page asked for.
    public static let maxTaskSearchLimit = 100

    /// The `tasks/search` page size in use: `maxTaskSearchLimit` until the server refused it.
    public var taskSearchLimit: Int { taskSearchLimitState.withLock { $0 } }

    /// Every task of the location through `POST /locations/{locationId}/tasks/search` (completed ones
    /// too), page by page in the server's order, each row raw (`TaskSchema` members and whatever else
    /// GHL adds). `filters` are `TaskSearchParamsDto` members (`contactId`, `completed`, `assignedTo`,
    /// `query`, `businessId`). Pages are as large as the server takes, found by stepping down
    /// `taskSearchLimits` on a 422 naming `limit` and remembered for the client's life. The listing
    /// ends at the first page shorter than asked for; a task is never handed over twice.
    public func forEachTaskPage(filters: JSONObject? = nil, _ body: ([JSONObject]) async throws -> Void) async throws {
        let endpoint = "POST /locations/{locationId}/tasks/search"
        var skip = 0
        var seen: Set<String> = []
        while true {
            let limit = taskSearchLimit
            var query = filters ?? [:]
            query["limit"] = .number(Double(limit))
            query["skip"] = .number(Double(skip))
            let rows: [JSONObject]
            do {
                rows = try await call(request(
                    .post, Request.path("locations", locationId, "tasks", "search"), endpoint: endpoint, body: .object(query),
                    isIdempotent: true)).objects("tasks")
            } catch {
                if error.status == 422, error.message.lowercased().contains("limit"),
                    let smaller = GHLClient.taskSearchLimits.first(where: { $0 < limit }) {
                    taskSearchLimitState.withLock { $0 = min($0, smaller) }
                    continue
                }
                throw error
            }
            skip += rows.count
            // A task created or deleted while we page shifts the offsets; never hand one over twice.
            let page = rows.filter { row in row["id"]?.stringValue.map { seen.insert($0).inserted } ?? true }
            if !page.isEmpty { try await body(page) }
            if rows.count < limit { return }
        }
    }
}
