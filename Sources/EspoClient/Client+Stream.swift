import SyncCore
import Transport

extension Espo {
    /// Which notes of a stream to ask for (`filter=` of `GET {Entity}/{id}/stream`, FACTS §11).
    public enum StreamFilter: String, Sendable {
        /// `Post` notes only: what people (and the sync) write.
        case posts
        /// Audit notes only (`Update`, `Status`, `Assign`).
        case updates
    }
}

extension Espo.Client {
    /// One page of a record's stream, newest first by `number` (`GET {Entity}/{id}/stream`). With
    /// `filter` nil it carries system notes too (`Create`, `CreateRelated`, `Update`…): read `type`.
    /// `beforeNumber` pages stably while notes are being added (offset paging shifts under new
    /// notes). `maxSize` above 200 is clamped: EspoCRM answers 403 to more.
    public func stream(
        of parent: Espo.EntityType, id: String, offset: Int = 0, maxSize: Int = Espo.ListQuery.maxPageSize,
        filter: Espo.StreamFilter? = .posts, beforeNumber: Int? = nil
    ) async throws(APIError) -> Espo.Page<Espo.Note> {
        let endpoint = "GET /\(parent.rawValue)/{id}/stream"
        var query: [Request.FormField] = [
            .init("maxSize", String(min(max(maxSize, 0), Espo.ListQuery.maxPageSize))), .init("offset", String(offset)),
        ]
        if let filter { query.append(.init("filter", filter.rawValue)) }
        if let beforeNumber { query.append(.init("beforeNumber", String(beforeNumber))) }
        let json = try await transport.json(Request(
            .get, Request.path(parent.rawValue, id, "stream"), endpoint: endpoint, query: query))
        return try Espo.Client.page(json, endpoint: endpoint)
    }

    /// Every `Post` note on the record itself, newest first: walks the stream by `beforeNumber` until
    /// a short page. Notes on other records that a stream may carry (a post on a related record) are
    /// left out by `parentType`/`parentId`. A note that could not be read throws, naming the field.
    public func allPosts(of parent: Espo.EntityType, id: String) async throws(APIError) -> [Espo.Note] {
        var notes: [Espo.Note] = []
        var before: Int?
        while true {
            let page = try await stream(of: parent, id: id, filter: .posts, beforeNumber: before)
            if let failure = page.failures.first { throw failure }
            notes += page.records.filter { $0.type == "Post" && $0.parentType == parent.rawValue && $0.parentId == id }
            guard page.records.count == Espo.ListQuery.maxPageSize, let last = page.records.last?.number else { break }
            before = last
        }
        return notes
    }

    /// Changes a post's text (`PATCH Note/{id}`); only `post` can change (FACTS §5.5). EspoCRM lets
    /// the API user edit only its own posts, for 7 days after `createdAt`: otherwise this throws
    /// kind `.forbidden` (403 `No edit access.`), which tells "not the author / too late" apart
    /// from a missing note (`.notFound`) or a server failure.
    public func updateNote(id: String, post: String) async throws(APIError) -> Espo.Note {
        let endpoint = "PATCH /Note/{id}"
        let json = try await transport.json(Request(
            .patch, Request.path("Note", id), endpoint: endpoint, body: .json(["post": .string(post)])))
        return try Espo.Client.entity(json, endpoint: endpoint)
    }

    /// Deletes a post (`DELETE Note/{id}`). Only the API user's own posts, for a month after
    /// `createdAt`: otherwise kind `.forbidden` (403 `No delete access.`). A retry that finds it
    /// already gone counts as done.
    public func deleteNote(id: String) async throws(APIError) {
        try await delete(.note, id: id)
    }

    /// One page of the global stream (`GET GlobalStream`): every note on a record the API user can
    /// read, newest first by `number`, filtered by `filters` (`where`; e.g. `parentType` equals
    /// `Contact`, `type` equals `Post`). It pages by `beforeNumber` only (offsets are refused) and
    /// does not count: `total` is -1 when more notes follow, -2 on the last page. Needs the role's
    /// GlobalStream scope; without it this throws `.forbidden`.
    public func globalStream(
        filters: [Espo.Where] = [], beforeNumber: Int? = nil, maxSize: Int = Espo.ListQuery.maxPageSize
    ) async throws(APIError) -> Espo.Page<Espo.Note> {
        let endpoint = "GET /GlobalStream"
        var query: [Request.FormField] = [.init("maxSize", String(min(max(maxSize, 0), Espo.ListQuery.maxPageSize)))]
        if let beforeNumber { query.append(.init("beforeNumber", String(beforeNumber))) }
        let json = try await transport.json(Request(
            .get, "/GlobalStream", endpoint: endpoint, query: query + Espo.Where.queryFields(filters)))
        return try Espo.Client.page(json, endpoint: endpoint)
    }
}
