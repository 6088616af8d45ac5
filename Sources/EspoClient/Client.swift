import Foundation
import SyncCore
import Transport

extension Espo {
    /// The EspoCRM REST API (`{siteURL}/api/v1`) through the shared paced, retrying transport.
    ///
    /// Reads, updates (PATCH), deletes and link changes are idempotent and retried after 5xx answers,
    /// timeouts and dropped connections; creates are not, so a create whose answer was lost throws
    /// `APIError.Kind.outcomeUnknown` and is never sent twice.
    public final class Client: Sendable {
        /// The shared paced, retrying transport (its `counts` tell the requests sent).
        public let transport: APITransport
        /// The site, without `/api/v1`.
        public let siteURL: String

        /// A client for the EspoCRM at `siteURL` (`https://crm.example.com` or `…/crm` when installed
        /// in a folder). `rateLimit` defaults to `RateLimit.espo`: EspoCRM has no limit of its own.
        public init(
            siteURL: String, credentials: any Credentials, rateLimit: RateLimit = .espo,
            retry: RetryPolicy = .standard, exchanges: ExchangeLog? = nil
        ) {
            var site = siteURL
            while site.hasSuffix("/") { site.removeLast() }
            self.siteURL = site
            self.transport = APITransport(
                service: "EspoCRM", contractName: "espo", baseURL: site + "/api/v1", credentials: credentials,
                pacer: Pacer(rateLimit), retry: retry, describe: Client.describe, exchanges: exchanges)
        }

        /// An EspoCRM error's message: the `X-Status-Reason` header, else the body's text (FACTS §9).
        public static let describe: @Sendable (Response) -> (message: String, traceId: String?) = { response in
            if let reason = response.header("X-Status-Reason"), !reason.isEmpty { return (reason, nil) }
            return APITransport.plainMessage(response)
        }

        /// The requests sent so far.
        public var counts: CallCounts { transport.counts }

        // MARK: Records

        /// One page of `E` records; use `changes(_:since:)` to walk every page.
        public func list<E: EspoEntity>(_ type: E.Type, _ query: ListQuery = ListQuery()) async throws(APIError) -> Page<E> {
            let endpoint = "GET /\(E.entityType.rawValue)"
            let json = try await transport.json(Request(
                .get, Request.path(E.entityType.rawValue), endpoint: endpoint, query: query.queryFields))
            return try Client.page(json, endpoint: endpoint)
        }

        /// One record with every attribute, `emailAddressData` and `phoneNumberData` included: read it
        /// only where a mapping needs what a list page lacks.
        public func read<E: EspoEntity>(_ type: E.Type, id: String) async throws(APIError) -> E {
            let endpoint = "GET /\(E.entityType.rawValue)/{id}"
            let json = try await transport.json(Request(.get, Request.path(E.entityType.rawValue, id), endpoint: endpoint))
            return try Client.entity(json, endpoint: endpoint)
        }

        /// Creates a record. A 409 `duplicate` answer comes back as `.duplicate` with the matches; the
        /// duplicate check is skipped (`X-Skip-Duplicate-Check: true`) only when `skipDuplicateCheck`.
        public func create<E: EspoEntity>(
            _ type: E.Type, _ attributes: JSONObject, skipDuplicateCheck: Bool = false
        ) async throws(APIError) -> CreateOutcome<E> {
            let endpoint = "POST /\(E.entityType.rawValue)"
            var headers: [(name: String, value: String)] = []
            if skipDuplicateCheck { headers.append((name: "X-Skip-Duplicate-Check", value: "true")) }
            let request = Request(
                .post, Request.path(E.entityType.rawValue), endpoint: endpoint, headers: headers,
                body: .json(.object(attributes)), isIdempotent: false)
            do throws(APIError) {
                return .created(try Client.entity(try await transport.json(request), endpoint: endpoint))
            } catch where error.status == 409 && error.response?.header("X-Status-Reason") == "duplicate" {
                let body = try Client.body(of: error, endpoint: endpoint)
                guard case .array(let items) = body else {
                    throw APIError(.invalidResponse, service: transport.service, endpoint: endpoint, status: 409,
                                   message: "a 409 duplicate answer must list the duplicates; got \(body.kindName)",
                                   response: error.response)
                }
                var matches: [E] = []
                for item in items { matches.append(try Client.entity(item, endpoint: endpoint)) }
                return .duplicate(matches)
            }
        }

        /// Changes only the attributes given (`null` clears one). With `versionNumber` (Account, Task)
        /// the server refuses if the record changed since, and the answer is `.modified`.
        public func update<E: EspoEntity>(
            _ type: E.Type, id: String, _ attributes: JSONObject, versionNumber: Int? = nil
        ) async throws(APIError) -> UpdateOutcome<E> {
            let endpoint = "PATCH /\(E.entityType.rawValue)/{id}"
            var headers: [(name: String, value: String)] = []
            if let versionNumber { headers.append((name: "X-Version-Number", value: String(versionNumber))) }
            let request = Request(
                .patch, Request.path(E.entityType.rawValue, id), endpoint: endpoint, headers: headers,
                body: .json(.object(attributes)))
            do throws(APIError) {
                return .updated(try Client.entity(try await transport.json(request), endpoint: endpoint))
            } catch where error.status == 409 && error.response?.header("X-Status-Reason") == "modified" {
                let body = try Client.body(of: error, endpoint: endpoint)
                guard case .object(let values)? = body["values"], case .number(let version)? = body["versionNumber"] else {
                    throw APIError(.invalidResponse, service: transport.service, endpoint: endpoint, status: 409,
                                   message: "field `values`/`versionNumber`: a 409 modified answer must carry both",
                                   response: error.response)
                }
                return .modified(VersionConflict(values: values, versionNumber: Int(version)))
            }
        }

        /// Deletes a record (EspoCRM keeps it soft-deleted). A retry that finds it already gone counts
        /// as done.
        public func delete(_ type: EntityType, id: String) async throws(APIError) {
            let endpoint = "DELETE /\(type.rawValue)/{id}"
            do throws(APIError) {
                _ = try await transport.send(Request(.delete, Request.path(type.rawValue, id), endpoint: endpoint))
            } catch where error.kind == .notFound && error.attempts > 1 {
                return
            }
        }

        // MARK: Links

        /// Relates `ids` to the record through `link` (`Contact` `accounts`, `Meeting` `contacts`…).
        public func link(_ type: EntityType, id: String, _ link: String, ids: [String]) async throws(APIError) {
            let body: JSON = ids.count == 1 ? ["id": .string(ids[0])] : ["ids": .array(ids.map(JSON.string))]
            _ = try await transport.send(Request(
                .post, Request.path(type.rawValue, id, link), endpoint: "POST /\(type.rawValue)/{id}/\(link)",
                body: .json(body), isIdempotent: true))
        }

        /// Unrelates `ids` from the record: a DELETE with a JSON body (FACTS §10).
        public func unlink(_ type: EntityType, id: String, _ link: String, ids: [String]) async throws(APIError) {
            let body: JSON = ids.count == 1 ? ["id": .string(ids[0])] : ["ids": .array(ids.map(JSON.string))]
            _ = try await transport.send(Request(
                .delete, Request.path(type.rawValue, id, link), endpoint: "DELETE /\(type.rawValue)/{id}/\(link)",
                body: .json(body)))
        }

        /// One page of the records related to `id` through `link`.
        public func related<E: EspoEntity>(
            _ type: E.Type, of parent: EntityType, id: String, _ link: String, _ query: ListQuery = ListQuery()
        ) async throws(APIError) -> Page<E> {
            let endpoint = "GET /\(parent.rawValue)/{id}/\(link)"
            let json = try await transport.json(Request(
                .get, Request.path(parent.rawValue, id, link), endpoint: endpoint, query: query.queryFields))
            return try Client.page(json, endpoint: endpoint)
        }

        // MARK: Notes

        /// Posts `post` in the stream of `parent` (FACTS §5.5). Not idempotent: a lost answer is
        /// outcome-unknown.
        public func postNote(on parent: EntityType, id: String, _ post: String) async throws(APIError) -> Note {
            let endpoint = "POST /Note"
            let body: JSON = ["type": "Post", "parentType": .string(parent.rawValue), "parentId": .string(id), "post": .string(post)]
            let json = try await transport.json(Request(.post, "/Note", endpoint: endpoint, body: .json(body), isIdempotent: false))
            return try Client.entity(json, endpoint: endpoint)
        }

        // MARK: Decoding

        static func entity<E: EspoEntity>(_ json: JSON, endpoint: String) throws(APIError) -> E {
            do { return try E(record: try Record(json)) } catch {
                throw APIError(.invalidResponse, service: "EspoCRM", endpoint: endpoint, message: error.description)
            }
        }

        static func page<E: EspoEntity>(_ json: JSON, endpoint: String) throws(APIError) -> Page<E> {
            guard case .array(let items)? = json["list"] else {
                throw APIError(.invalidResponse, service: "EspoCRM", endpoint: endpoint,
                               message: "field `list`: expected an array, got \(json["list"]?.kindName ?? "absent")")
            }
            guard case .number(let total)? = json["total"] else {
                throw APIError(.invalidResponse, service: "EspoCRM", endpoint: endpoint,
                               message: "field `total`: expected a number, got \(json["total"]?.kindName ?? "absent")")
            }
            var page = Page<E>(records: [], failures: [], total: Int(total))
            for (index, item) in items.enumerated() {
                do { page.records.append(try E(record: try Record(item))) } catch {
                    let id = item["id"]?.stringValue.map { " (id \($0))" } ?? ""
                    page.failures.append(APIError(
                        .invalidResponse, service: "EspoCRM", endpoint: endpoint,
                        message: "list[\(index)]\(id): \(error.description)"))
                }
            }
            return page
        }

        static func body(of error: APIError, endpoint: String) throws(APIError) -> JSON {
            guard let response = error.response, let body = try? response.json() else {
                throw APIError(.invalidResponse, service: "EspoCRM", endpoint: endpoint, status: error.status,
                               message: "the \(error.status ?? 0) answer's body is not JSON", response: error.response)
            }
            return body
        }
    }
}
