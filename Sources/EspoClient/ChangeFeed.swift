import SyncCore
import Transport

extension Espo {
    /// Every record of a type changed since a cursor, as pages, oldest change first; each record once.
    ///
    /// Why not offsets: paging by `offset` over `orderBy=modifiedAt` is not stable, because a record
    /// edited while we page gets a new `modifiedAt`, moves to the end, and shifts every later row one
    /// place down, so the row at the page boundary is skipped (FACTS §3.2). This feed pages by key
    /// instead: each request asks for the rows after the last row seen, in the server's own order
    /// `(modifiedAt, id)` (EspoCRM adds `id` as the tie-breaker):
    ///
    ///     modifiedAt > last.modifiedAt  OR  (modifiedAt = last.modifiedAt AND id > last.id)
    ///
    /// always at `offset=0`. Rows that move during paging only move *forward* in that order, so no row
    /// is skipped; a moved row is met again later with a new `modifiedAt`. Each record is delivered
    /// once per pull: a record met again after it was delivered is not delivered twice, and the
    /// feed's `cursor` stays at or before that later change, so the next pull picks it up.
    /// The first request filters `modifiedAt >= since - overlap`: `modifiedAt` has one-second
    /// resolution and a transaction may commit after a later one, so a few seconds are read again.
    ///
    /// Memory: one page at a time plus the set of ids delivered in this pull.
    public struct ChangeFeed<E: EspoEntity>: AsyncSequence, Sendable {
        public typealias Element = ChangePage<E>
        public typealias Failure = APIError

        let client: Client
        let since: String?
        let overlapSeconds: Int64
        let filters: [Where]
        let select: [String]?
        let pageSize: Int
        let alreadyHave: (@Sendable (_ id: String, _ modifiedAt: String) -> Bool)?

        public func makeAsyncIterator() -> Iterator {
            Iterator(feed: self)
        }

        /// Fetches the next page when asked for it.
        public struct Iterator: AsyncIteratorProtocol {
            let feed: ChangeFeed
            var last: (modifiedAt: String, id: String)?
            var delivered: Set<String> = []
            var earliestHeldBack: String?
            var finished = false

            init(feed: ChangeFeed) { self.feed = feed }

            public mutating func next() async throws(APIError) -> ChangePage<E>? {
                guard !finished else { return nil }
                let entity = E.entityType.rawValue
                let endpoint = "GET /\(entity)"
                var filters = feed.filters
                if let last {
                    filters.append(.or([
                        .greaterThan("modifiedAt", .string(last.modifiedAt)),
                        .and([.equals("modifiedAt", .string(last.modifiedAt)), .greaterThan("id", .string(last.id))]),
                    ]))
                } else if let since = feed.since {
                    filters.append(.greaterThanOrEquals("modifiedAt", .string(Espo.shift(since, by: -feed.overlapSeconds))))
                }
                var select = feed.select
                if var chosen = select, !chosen.contains("modifiedAt") {
                    chosen.append("modifiedAt")
                    select = chosen
                }
                let query = ListQuery(filters: filters, select: select, orderBy: "modifiedAt", ascending: true,
                                      offset: 0, maxSize: feed.pageSize)
                // Only the first page asks for the count (for progress); later pages skip the COUNT
                // query, which scans the table since `modifiedAt` has no index (FACTS §3.1, §3.2).
                let headers: [(name: String, value: String)] = last == nil ? [] : [(name: "X-No-Total", value: "true")]
                let json = try await feed.client.transport.json(Request(
                    .get, Request.path(entity), endpoint: endpoint, query: query.queryFields, headers: headers))
                guard case .array(let items)? = json["list"] else {
                    throw APIError(.invalidResponse, service: "EspoCRM", endpoint: endpoint,
                                   message: "field `list`: expected an array, got \(json["list"]?.kindName ?? "absent")")
                }
                var page = ChangePage<E>(records: [], failures: [], heldBack: 0, unchanged: 0, cursor: nil,
                                         total: json["total"]?.numberValue.map { Int($0) } ?? -1)
                let before = last.map { "\($0.modifiedAt)|\($0.id)" }
                for (index, item) in items.enumerated() {
                    let record: Record
                    do { record = try Record(item) } catch {
                        page.failures.append(APIError(.invalidResponse, service: "EspoCRM", endpoint: endpoint,
                                                      message: "list[\(index)]: \(error.description)"))
                        continue
                    }
                    guard let modifiedAt = record.modifiedAt else {
                        page.failures.append(APIError(.invalidResponse, service: "EspoCRM", endpoint: endpoint,
                                                      message: "list[\(index)] (id \(record.id)): field `modifiedAt`: expected a date-time, got absent"))
                        continue
                    }
                    last = (modifiedAt, record.id)
                    if let alreadyHave = feed.alreadyHave, alreadyHave(record.id, modifiedAt) {
                        page.unchanged += 1
                        continue
                    }
                    guard delivered.insert(record.id).inserted else {
                        page.heldBack += 1
                        if earliestHeldBack == nil || modifiedAt < earliestHeldBack! { earliestHeldBack = modifiedAt }
                        continue
                    }
                    do { page.records.append(try E(record: record)) } catch {
                        page.failures.append(APIError(.invalidResponse, service: "EspoCRM", endpoint: endpoint,
                                                      message: "list[\(index)] (id \(record.id)): \(error.description)"))
                    }
                }
                if items.count < feed.pageSize {
                    finished = true
                } else if last.map({ "\($0.modifiedAt)|\($0.id)" }) == before {
                    throw APIError(.invalidResponse, service: "EspoCRM", endpoint: endpoint,
                                   message: "a full page without one readable `id` and `modifiedAt`; cannot page on")
                }
                page.cursor = [last?.modifiedAt, earliestHeldBack].compactMap { $0 }.min() ?? feed.since
                return page
            }
        }
    }

    /// One page of a `ChangeFeed`.
    public struct ChangePage<E: EspoEntity>: Sendable {
        /// Records changed since the cursor, each delivered once per pull.
        public var records: [E]
        /// Rows that could not be read; each names the field.
        public var failures: [APIError]
        /// Rows of records already delivered in this pull (changed again while paging); the next pull
        /// gets them, since `cursor` stays at or before them.
        public var heldBack: Int
        /// Rows skipped because the caller already had that `(id, modifiedAt)` (the overlap re-read).
        public var unchanged: Int
        /// Where the next pull may start once this page is stored (`since` of `changes`): the latest
        /// `modifiedAt` up to which everything was delivered.
        public var cursor: String?
        /// On the first page, the rows the server counted for the whole pull; on later pages, which
        /// skip the count, -1 (more rows follow) or -2 (the last page).
        public var total: Int
    }

    /// `text` (`YYYY-MM-DD HH:mm:ss` UTC) moved by `seconds`; unchanged when it is not a date-time.
    static func shift(_ text: String, by seconds: Int64) -> String {
        guard let instant = Timestamp.parse(text) else { return text }
        return Timestamp.naive(instant + seconds)
    }
}

extension Espo.Client {
    /// Every `E` record changed since `since` (`YYYY-MM-DD HH:mm:ss` UTC; nil for all of them), page by
    /// page, each record once, reading `overlapSeconds` before `since` again; rows for which
    /// `alreadyHave(id, modifiedAt)` is true (the snapshot has that version) are skipped. Persist a page's
    /// `cursor` after storing its records and pass it as the next pull's `since`.
    public func changes<E: EspoEntity>(
        _ type: E.Type, since: String?, filters: [Espo.Where] = [], select: [String]? = nil,
        overlapSeconds: Int64 = 2, pageSize: Int = Espo.ListQuery.maxPageSize,
        alreadyHave: (@Sendable (_ id: String, _ modifiedAt: String) -> Bool)? = nil
    ) -> Espo.ChangeFeed<E> {
        Espo.ChangeFeed(client: self, since: since, overlapSeconds: overlapSeconds, filters: filters, select: select,
                        pageSize: min(max(pageSize, 1), Espo.ListQuery.maxPageSize), alreadyHave: alreadyHave)
    }

    /// Every `E` record matching `filters`, page by page (a change feed from the beginning).
    public func all<E: EspoEntity>(_ type: E.Type, filters: [Espo.Where] = [], select: [String]? = nil) -> Espo.ChangeFeed<E> {
        changes(type, since: nil, filters: filters, select: select)
    }
}
