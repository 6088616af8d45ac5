import Emulation
import SyncCore

extension GHLEmulator {
    /// `POST /contacts/search`: `locationId` and `pageLimit` (≤ 500) required; `page` (first 10 000
    /// hits only) or `searchAfter`; `filters` (`eq`, `contains`, `range`, `exists` on contact fields);
    /// `sort` on `dateUpdated` (ties broken by id); `query`. Answers `{contacts, total, traceId}`,
    /// each row carrying its `searchAfter` cursor. Served from the search index, which lags changes by
    /// `Settings.searchLag`.
    func search(_ body: JSONObject, location: String, trace: String) -> ServedResponse {
        var problems = DTO.problems(body, allowed: DTO.search) + DTO.missing(body, ["locationId"])
        let pageLimit = body["pageLimit"]?.numberValue.map { Int($0) }
        if pageLimit == nil { problems.append("pageLimit must be a number") }
        if let pageLimit, !(1...500).contains(pageLimit) { problems.append("pageLimit must not be greater than 500") }
        let page = body["page"]?.numberValue.map { Int($0) }
        if page != nil, body["searchAfter"] != nil { problems.append("page and searchAfter cannot be used together") }
        if let page, let pageLimit, page * pageLimit > 10_000 {
            problems.append("page * pageLimit must not exceed 10000; use searchAfter")
        }
        let descending = body["sort"]?[0]?["direction"]?.stringValue == "desc"
        if let field = body["sort"]?[0]?["field"]?.stringValue, field != "dateUpdated" {
            problems.append("sort field \(field) is not supported by this emulator")
        }
        guard problems.isEmpty, let limit = pageLimit else { return Answer.unprocessable(problems, trace: trace) }
        let filters = body["filters"]?.arrayValue ?? []
        let text = body["query"]?.stringValue?.lowercased()

        let data = locations[location]!
        let keys = data.searchOrder.keys
        var cursor: SortKey?
        if let after = body["searchAfter"]?.arrayValue, after.count == 2, let time = after[0].numberValue, let id = after[1].stringValue {
            cursor = SortKey(Int64(time), id)
        }
        var indices: StrideTo<Int>
        if descending {
            var end = keys.count
            if let cursor { end = data.searchOrder.lowerBound(cursor) }
            indices = stride(from: end - 1, to: -1, by: -1)
        } else {
            var start = 0
            if let cursor {
                start = data.searchOrder.lowerBound(cursor)
                if start < keys.count, keys[start] == cursor { start += 1 }
            }
            indices = stride(from: start, to: keys.count, by: 1)
        }
        var skip = ((page ?? 1) - 1) * limit
        var rows: [JSON] = []
        var total = 0
        let counting = cursor == nil
        for index in indices {
            guard let contact = data.indexed[keys[index].id] else { continue }
            guard passes(contact, filters), text.map({ matches(contact, $0) }) ?? true else { continue }
            total += 1
            if skip > 0 { skip -= 1; continue }
            if rows.count < limit { rows.append(.object(contact.read(shape: .row))) } else if !counting { break }
        }
        if !counting {
            total = data.indexed.values.count { contact in passes(contact, filters) && (text.map { matches(contact, $0) } ?? true) }
        }
        return Answer.ok(["contacts": .array(rows), "total": .number(Double(total)), "traceId": .string(trace)])
    }

    private func passes(_ contact: StoredContact, _ filters: [JSON]) -> Bool {
        for filter in filters {
            if let group = filter["filters"]?.arrayValue {
                let any = filter["group"]?.stringValue?.uppercased() == "OR"
                let results = group.map { passes(contact, [$0]) }
                if any ? !results.contains(true) : results.contains(false) { return false }
                continue
            }
            guard let field = filter["field"]?.stringValue, let op = filter["operator"]?.stringValue else { return false }
            let value = filter["value"]
            switch field {
            case "dateUpdated", "dateAdded":
                let time = field == "dateUpdated" ? contact.dateUpdated : contact.dateAdded
                guard op == "range", let bounds = value else { return false }
                if let gte = GHLTime.milliseconds(bounds["gte"]), time < gte { return false }
                if let gt = GHLTime.milliseconds(bounds["gt"]), time <= gt { return false }
                if let lte = GHLTime.milliseconds(bounds["lte"]), time > lte { return false }
                if let lt = GHLTime.milliseconds(bounds["lt"]), time >= lt { return false }
            default:
                let own = field == "id" ? contact.id : contact.fields[field]?.stringValue
                let wanted = value?.stringValue
                switch op {
                case "eq": if own?.lowercased() != wanted?.lowercased() { return false }
                case "not_eq": if own?.lowercased() == wanted?.lowercased() { return false }
                case "contains": if !(own?.lowercased().contains(wanted?.lowercased() ?? "") ?? false) { return false }
                case "exists": if own == nil { return false }
                case "not_exists": if own != nil { return false }
                default: return false
                }
            }
        }
        return true
    }
}
