import Emulation
import SyncCore

extension GHLEmulator {
    /// `GET /businesses/?locationId&limit&skip` (`{businesses}`), in creation order. `limit` and
    /// `skip` are strings of digits (defaults "100" and "0"); the spec states no maximum.
    func listBusinesses(_ request: ServedRequest, location: String, trace: String) -> ServedResponse {
        let query = request.query(plusIsSpace: true)
        func value(_ name: String) -> String? { query.first { $0.name == name }?.value }
        guard value("locationId") != nil else { return Answer.badRequest("locationId must be a string", trace: trace) }
        guard let limit = Int(value("limit") ?? "100"), limit >= 1 else { return Answer.badRequest("limit must be a number string", trace: trace) }
        guard let skip = Int(value("skip") ?? "0"), skip >= 0 else { return Answer.badRequest("skip must be a number string", trace: trace) }
        let data = locations[location]!
        let page = data.businessOrder.dropFirst(skip).prefix(limit).compactMap { data.businesses[$0] }
        return Answer.ok(["businesses": .array(page.map { .object($0.read()) })])
    }

    func getBusiness(_ id: String, location: String, trace: String) -> ServedResponse {
        guard let business = locations[location]?.businesses[id] else { return Answer.error(404, "Business not found", trace: trace) }
        return Answer.ok(["business": .object(business.read())])
    }

    /// `POST /businesses/`: `name` and `locationId` required → 201 `{success, buiseness}` (sic).
    func createBusiness(_ body: JSONObject, location: String, trace: String) -> ServedResponse {
        let problems = DTO.problems(body, allowed: DTO.createBusiness) + DTO.missing(body, ["name", "locationId"])
            + DTO.strings(body, DTO.createBusiness)
        guard problems.isEmpty else { return Answer.unprocessable(problems, trace: trace) }
        let business = StoredBusiness(id: newHexId(), locationId: location, fields: body, at: tick())
        locations[location]!.businesses[business.id] = business
        locations[location]!.businessOrder.append(business.id)
        return Answer.ok(["success": true, "buiseness": .object(business.read())], status: 201)
    }

    /// `PUT /businesses/{businessId}`: the members given change (`null` or "" clears one); `updatedAt` moves.
    func updateBusiness(_ id: String, _ body: JSONObject, location: String, trace: String) -> ServedResponse {
        let problems = DTO.problems(body, allowed: DTO.updateBusiness) + DTO.strings(body, DTO.updateBusiness)
        guard problems.isEmpty else { return Answer.unprocessable(problems, trace: trace) }
        guard var business = locations[location]?.businesses[id] else { return Answer.error(404, "Business not found", trace: trace) }
        if body["name"] != nil, (body["name"]?.stringValue ?? "").isEmpty {
            return Answer.unprocessable(["name should not be empty"], trace: trace)
        }
        business.apply(body)
        business.updatedAt = tick()
        locations[location]!.businesses[id] = business
        return Answer.ok(["success": true, "buiseness": .object(business.read())])
    }

    /// `DELETE /businesses/{businessId}` (`{success}`); its contacts are detached from it.
    func deleteBusiness(_ id: String, location: String, trace: String) -> ServedResponse {
        guard locations[location]?.businesses.removeValue(forKey: id) != nil else {
            return Answer.error(404, "Business not found", trace: trace)
        }
        locations[location]!.businessOrder.removeAll { $0 == id }
        let members = locations[location]!.contacts.values.filter { $0.fields["businessId"]?.stringValue == id }.map(\.id)
        for contact in members { setBusiness(nil, contact: contact, location: location) }
        return Answer.ok(["success": true])
    }

    /// `POST /contacts/bulk/business` `{locationId, ids, businessId|null}` → `{success, ids}`: sets or
    /// clears the contacts' `businessId` (and moves their `dateUpdated`). `ids` lists the contacts
    /// changed; ids of no contact of the location are left out. An unknown business is a 422.
    func bulkBusiness(_ body: JSONObject, location: String, trace: String) -> ServedResponse {
        var problems = DTO.problems(body, allowed: DTO.bulkBusiness) + DTO.missing(body, ["locationId", "ids"])
        if body["businessId"] == nil { problems.append("businessId must be a string") }
        if let value = body["businessId"], !value.isNull, value.stringValue == nil { problems.append("businessId must be a string") }
        let ids = body["ids"]?.arrayValue
        if body["ids"] != nil, ids == nil || ids!.contains(where: { $0.stringValue == nil }) {
            problems.append("each value in ids must be a string")
        }
        if let ids, ids.contains(where: { ($0.stringValue?.count ?? 0) > 50 }) {
            problems.append("each value in ids must be shorter than or equal to 50 characters")
        }
        guard problems.isEmpty else { return Answer.unprocessable(problems, trace: trace) }
        let businessId = body["businessId"]?.stringValue
        if let businessId, locations[location]?.businesses[businessId] == nil {
            return Answer.unprocessable(["business \(businessId) not found"], trace: trace)
        }
        var changed: [JSON] = []
        for id in (ids ?? []).compactMap(\.stringValue) where locations[location]?.contacts[id] != nil {
            setBusiness(businessId, contact: id, location: location)
            changed.append(.string(id))
        }
        return Answer.ok(["success": true, "ids": .array(changed)])
    }

    /// A 24-hex id, the shape of GHL's business ids (`63771dcac1116f0e21de8e12`).
    func newHexId() -> String {
        let digits = Array("0123456789abcdef")
        return String((0..<24).map { _ in digits[Int(random.next() % 16)] })
    }
}

extension GHLEmulator {
    /// Puts one business with the given `CreateBusinessDto` members into `location`, as if someone had
    /// created it in GHL's web app (no request); returns its id. For the sandbox, demos and tests.
    @discardableResult
    public func seedBusiness(location: String, _ fields: JSONObject) -> String {
        if locations[location] == nil { addLocation(location) }
        let business = StoredBusiness(id: newHexId(), locationId: location, fields: fields, at: tick())
        locations[location]!.businesses[business.id] = business
        locations[location]!.businessOrder.append(business.id)
        return business.id
    }

    /// A business as `GET /businesses/{id}` would show it; nil when there is none.
    public func businessJSON(_ id: String, location: String) -> JSON? {
        locations[location]?.businesses[id].map { .object($0.read()) }
    }

    /// Every business id of `location`, in creation order.
    public func businessIds(location: String) -> [String] { locations[location]?.businessOrder ?? [] }
}
