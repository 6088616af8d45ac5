import SyncCore
import Transport

extension GHLClient {
    /// Every contact of the location, a page at a time, through `POST /contacts/search` with the
    /// `searchAfter` cursor (so past GHL's 10 000-hit limit for page numbers), 500 a page, sorted by
    /// `dateUpdated` then id. With `updatedSince` (milliseconds since 1970 UTC) only contacts changed
    /// at or after it are listed: the incremental run.
    ///
    /// Each contact is yielded once per listing even while contacts change during it: a contact
    /// updated before its turn moves ahead of the cursor and is met once, with its new values; a
    /// contact updated after it was yielded moves ahead of the cursor too and is met again, and the
    /// listing drops that second sighting (it remembers ids only, not records). The newer values of
    /// such a contact are picked up by the next incremental run, as long as that run lists from the
    /// moment this listing started (minus GHL's search lag).
    public func searchContacts(updatedSince: Int64? = nil) -> ContactPages {
        ContactPages(client: self, source: .search(updatedSince: updatedSince))
    }

    /// Every contact of the location through the deprecated `GET /contacts/` (100 a page, cursor
    /// `startAfter` + `startAfterId` = the last row's `dateAdded` and id, which never change), the
    /// fallback when search is unavailable. `query` narrows it to a free-text match.
    public func listContacts(query: String? = nil) -> ContactPages {
        ContactPages(client: self, source: .list(query: query))
    }
}

/// Pages of contacts, fetched one at a time as the sequence is iterated, so a whole location never
/// sits in memory at once.
public struct ContactPages: AsyncSequence, Sendable {
    public typealias Element = [Contact]
    public typealias Failure = APIError

    enum Source: Sendable {
        case search(updatedSince: Int64?)
        case list(query: String?)
    }

    let client: GHLClient
    let source: Source

    public func makeAsyncIterator() -> Iterator { Iterator(client: client, source: source) }

    /// Fetches the next page when asked.
    public struct Iterator: AsyncIteratorProtocol {
        public typealias Element = [Contact]
        public typealias Failure = APIError

        let client: GHLClient
        let source: Source
        private var cursor: [JSON]?
        private var finished = false
        private var seen: Set<String> = []
        /// Contacts met a second time (changed after they were yielded) and left out.
        public private(set) var repeats = 0
        /// Requests sent by this listing.
        public private(set) var requests = 0
        /// Rows of the pages returned so far that could not be read (no id, a field of the wrong type):
        /// where, and why. A listing holding any is not a complete one; `takeUnreadable` empties it.
        public private(set) var unreadable: [UnreadableContact] = []

        /// The unreadable rows met since the last call.
        public mutating func takeUnreadable() -> [UnreadableContact] {
            defer { unreadable = [] }
            return unreadable
        }

        init(client: GHLClient, source: Source) {
            self.client = client
            self.source = source
        }

        public mutating func next() async throws(APIError) -> [Contact]? {
            while !finished {
                let (answered, raws, full) = try await fetch()
                requests += 1
                if !full { finished = true }
                var readable: [Contact] = []
                for (index, raw) in raws.enumerated() {
                    do {
                        readable.append(try Contact(raw: raw))
                    } catch {
                        unreadable.append(UnreadableContact(
                            id: raw["id"]?.stringValue, field: error.field, endpoint: answered.endpoint,
                            message: "contacts[\(index)].\(error.field): \(error.problem)"))
                    }
                }
                guard let lastRaw = raws.last else { finished = true; break }
                if let given = lastRaw["searchAfter"]?.arrayValue, !given.isEmpty, case .search = source {
                    cursor = given
                } else if let last = readable.last {
                    cursor = nextCursor(after: last)
                } else if full {
                    throw APIError(.invalidResponse, service: "GHL", endpoint: answered.endpoint,
                                   message: "a full page without one readable contact; cannot page on")
                }
                let rows = readable
                var page: [Contact] = []
                page.reserveCapacity(rows.count)
                for contact in rows {
                    if seen.insert(contact.id).inserted { page.append(contact) } else { repeats += 1 }
                }
                if !page.isEmpty { return page }
            }
            return nil
        }

        private func fetch() async throws(APIError) -> (rows: (endpoint: String, count: Int), raws: [JSONObject], full: Bool) {
            switch source {
            case .search(let since):
                let limit = client.configuration.searchPageLimit
                var body: JSONObject = [
                    "locationId": .string(client.locationId), "pageLimit": .number(Double(limit)),
                    "sort": [["field": "dateUpdated", "direction": "asc"]],
                ]
                if let since {
                    body["filters"] = [["field": "dateUpdated", "operator": "range",
                                        "value": ["gte": .string(GHLDate.iso8601(milliseconds: since))]]]
                }
                if let cursor { body["searchAfter"] = .array(cursor) }
                let answer = try await client.call(client.request(
                    .post, "/contacts/search", endpoint: "POST /contacts/search", body: .object(body), isIdempotent: true))
                let raws = try answer.objects("contacts")
                return (("POST /contacts/search", raws.count), raws, raws.count >= limit)
            case .list(let query):
                let limit = 100
                var parameters: [Request.FormField] = [.init("locationId", client.locationId), .init("limit", String(limit))]
                if let query { parameters.append(.init("query", query)) }
                if let cursor, cursor.count == 2, let after = cursor[0].numberValue, let id = cursor[1].stringValue {
                    parameters += [.init("startAfter", String(Int64(after))), .init("startAfterId", id)]
                }
                let answer = try await client.call(client.request(.get, "/contacts/", endpoint: "GET /contacts/", query: parameters))
                let raws = try answer.objects("contacts")
                return (("GET /contacts/", raws.count), raws, raws.count >= limit)
            }
        }

        /// The cursor after `last`: the row's own `searchAfter` when GHL gives one, else built from it.
        private func nextCursor(after last: Contact) -> [JSON] {
            switch source {
            case .search:
                if let given = last.raw["searchAfter"]?.arrayValue, !given.isEmpty { return given }
                return [.number(Double(last.dateUpdatedMilliseconds ?? 0)), .string(last.id)]
            case .list:
                return [.number(Double(GHLDate.milliseconds(last.raw["dateAdded"]) ?? 0)), .string(last.id)]
            }
        }
    }
}

/// A listed contact row that could not be read.
public struct UnreadableContact: Sendable, Hashable {
    /// The row's id where it has a readable one.
    public var id: String?
    public var field: String
    public var endpoint: String
    public var message: String
}
