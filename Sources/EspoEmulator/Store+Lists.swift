import Emulation
import SyncCore

extension Store {
    /// `GET {Entity}` and `GET {Entity}/{id}/{link}`: `where`, order (with `id` as the tie-breaker in
    /// the same direction), `select`, `offset` and `maxSize` (over 200 is a 403), as `{total, list}`.
    /// With `noTotal` (header `X-No-Total: true`) `total` is -1 when more rows follow, -2 on the last page.
    func list(_ entity: String, query: JSONObject, among ids: Set<String>? = nil, noTotal: Bool = false) -> ServedResponse {
        guard let definition = definitions[entity] else { return Answer.error(404, "Unknown entity type.") }
        let parsed = Store.listRequest(query, definition: definition)
        let query: JSONObject, paging: (offset: Int, maxSize: Int), filter: WhereFilter
        switch parsed {
        case .success(let request): (query, paging, filter) = request
        case .failure(let refused): return refused.response
        }
        let orderBy = (query["orderBy"] ?? query["sortBy"])?.stringValue ?? definition.defaultOrder.attribute
        if orderBy.contains(".") || orderBy.contains(":") || !definition.knows(orderBy) && orderBy != "number" {
            return Answer.error(403, "Not allowed order by '\(orderBy)'.")
        }
        let ascending: Bool
        if let order = query["order"]?.stringValue?.lowercased() {
            ascending = order != "desc"
        } else if let asc = query["asc"]?.stringValue {
            ascending = asc == "true"
        } else {
            ascending = query["orderBy"] == nil ? definition.defaultOrder.ascending : true
        }
        let select: [String]? = switch query["select"] ?? query["attributeSelect"] {
        case .string(let text)?: text.split(separator: ",").map(String.init)
        case .array(let items)?: items.compactMap(\.stringValue)
        default: nil
        }

        let table = records[entity] ?? [:]
        var matching: [(key: JSON, id: String)] = []
        for record in table.values where !record.deleted {
            if let ids, !ids.contains(record.id) { continue }
            guard filter.matches({ values(entity, record, $0) }) else { continue }
            matching.append((values(entity, record, orderBy).first ?? .null, record.id))
        }
        let precedes: ((key: JSON, id: String), (key: JSON, id: String)) -> Bool = { left, right in
            let order = Store.order(left.key, right.key)
            if order != 0 { return ascending ? order < 0 : order > 0 }
            return ascending ? left.id < right.id : left.id > right.id
        }
        let page = Store.first(paging.offset + paging.maxSize, of: matching, by: precedes).dropFirst(paging.offset)
        let list = page.map { JSON.object(render(entity, table[$0.id]!, full: false, select: select)) }
        var total = matching.count
        if noTotal { total = paging.offset + list.count < matching.count ? -1 : -2 }
        return Answer.json(200, ["total": .number(Double(total)), "list": .array(list)])
    }

    /// The first `count` elements of `items` in `precedes` order, without sorting all of them: one
    /// pass that keeps a sorted buffer, so a 200-row page of 25 000 rows costs ~25 000 comparisons.
    static func first<T>(_ count: Int, of items: [T], by precedes: (T, T) -> Bool) -> [T] {
        guard count > 0 else { return [] }
        if count * 4 >= items.count { return Array(items.sorted(by: precedes).prefix(count)) }
        var best: [T] = []
        best.reserveCapacity(count + 1)
        for item in items {
            if best.count == count, !precedes(item, best[count - 1]) { continue }
            var low = 0, high = best.count
            while low < high {
                let middle = (low + high) / 2
                if precedes(item, best[middle]) { high = middle } else { low = middle + 1 }
            }
            best.insert(item, at: low)
            if best.count > count { best.removeLast() }
        }
        return best
    }

    /// NULLs first, then as `WhereFilter.compare`.
    static func order(_ left: JSON, _ right: JSON) -> Int {
        switch (left, right) {
        case (.null, .null): return 0
        case (.null, _): return -1
        case (_, .null): return 1
        default: return WhereFilter.compare(left, right) ?? 0
        }
    }

    /// A refused list request's answer, as a `Result` failure.
    struct Refused: Error {
        let response: ServedResponse
    }

    /// What every list request shares: `searchParams` (the JSON form of the query) merged in, the
    /// paging checked and the `where` read; or the answer that refuses it.
    static func listRequest(
        _ query: JSONObject, definition: EntityDefinition
    ) -> Result<(query: JSONObject, paging: (offset: Int, maxSize: Int), filter: WhereFilter), Refused> {
        var query = query
        if let text = query["searchParams"]?.stringValue, case .object(let params)? = try? JSON(parsing: text) {
            for (key, value) in params { query[key] = value }
        }
        let paging: (offset: Int, maxSize: Int)
        switch Store.paging(query) {
        case .success(let value): paging = value
        case .failure(let refusal): return .failure(Refused(response: refusal.answer))
        }
        do {
            return .success((query, paging, try WhereFilter(query["where"] ?? query["whereGroup"], definition: definition)))
        } catch {
            return .failure(Refused(response: Answer.error(error.status, error.reason)))
        }
    }

    static func paging(_ query: JSONObject) -> Result<(offset: Int, maxSize: Int), Refusal> {
        var maxSize = 200
        if let raw = query["maxSize"] {
            guard let text = raw.stringValue ?? raw.numberValue.map({ String(Int($0)) }), let size = Int(text), size >= 0 else {
                return .failure(Refusal(Answer.error(400, "maxSize must be an integer.")))
            }
            guard size <= 200 else {
                return .failure(Refusal(Answer.error(403, "Max size should not exceed 200. Use offset and limit.")))
            }
            maxSize = size
        }
        var offset = 0
        if let raw = query["offset"] {
            guard let text = raw.stringValue ?? raw.numberValue.map({ String(Int($0)) }), let value = Int(text), value >= 0 else {
                return .failure(Refusal(Answer.error(400, "offset must be an integer.")))
            }
            offset = value
        }
        return .success((offset, maxSize))
    }

    /// `GET {Entity}/{id}/{link}`.
    func related(_ entity: String, id: String, link: String, query: JSONObject) -> ServedResponse {
        guard let definition = definitions[entity] else { return Answer.error(404, "Unknown entity type.") }
        guard live(entity, id) != nil else { return Answer.notFound(id) }
        guard let spec = definition.links[link] else { return Answer.error(404, "Link '\(link)' does not exist.") }
        return list(spec.target, query: query, among: Set(linkedIds(entity, id, link, definition)))
    }
}
