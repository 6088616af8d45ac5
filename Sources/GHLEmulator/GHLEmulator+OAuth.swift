import Emulation
import SyncCore

extension GHLEmulator {
    /// `POST /oauth/token` (form): `authorization_code` and `refresh_token` grants. Refresh tokens
    /// are single-use: each use issues a new pair, and a used one is refused with 401.
    func token(_ request: ServedRequest, trace: String) -> ServedResponse {
        var form: [String: String] = [:]
        for field in request.form { form[field.name] = field.value }
        let problems = ["client_id", "client_secret", "grant_type"].filter { (form[$0] ?? "").isEmpty }.map { "\($0) should not be empty" }
        guard problems.isEmpty else { return Answer.unprocessable(problems, trace: trace) }
        guard let secret = tokens.apps[form["client_id"]!], secret == form["client_secret"] else {
            return Answer.error(401, "Invalid client credentials", trace: trace)
        }
        let grant: Grant
        switch form["grant_type"] {
        case "authorization_code":
            guard let code = form["code"], let found = tokens.codes.removeValue(forKey: code), found.clientId == form["client_id"] else {
                return Answer.error(401, "Invalid grant: authorization code is invalid", trace: trace)
            }
            grant = found
        case "refresh_token":
            guard let refresh = form["refresh_token"], let found = tokens.refresh.removeValue(forKey: refresh) else {
                return Answer.error(401, "Invalid grant: refresh token is invalid", trace: trace)
            }
            tokens.usedRefresh.insert(refresh)
            grant = found
        default:
            return Answer.unprocessable(["grant_type must be one of the following values: authorization_code, refresh_token, client_credentials"], trace: trace)
        }
        tokens.grantCounts[form["grant_type"]!, default: 0] += 1
        return issue(grant, withRefresh: true, trace: trace)
    }

    /// `POST /oauth/locationToken` (form `companyId`, `locationId`) with a Company token.
    func locationToken(_ request: ServedRequest, grant: Grant, trace: String) -> ServedResponse {
        var form: [String: String] = [:]
        for field in request.form { form[field.name] = field.value }
        let problems = ["companyId", "locationId"].filter { (form[$0] ?? "").isEmpty }.map { "\($0) should not be empty" }
        guard problems.isEmpty else { return Answer.unprocessable(problems, trace: trace) }
        guard grant.userType == "Company", grant.companyId == form["companyId"] else {
            return Answer.error(401, "This route needs an agency (Company) access token", trace: trace)
        }
        let location = form["locationId"]!
        guard grant.approvedLocations.contains(location), locations[location] != nil else {
            return Answer.badRequest("Location \(location) has not installed this app", trace: trace)
        }
        let minted = Grant(
            userType: "Location", locationId: location, companyId: grant.companyId, expiresAt: nil, clientId: grant.clientId,
            scopes: grant.scopes)
        tokens.grantCounts["locationToken", default: 0] += 1
        return issue(minted, withRefresh: false, trace: trace)
    }

    private func issue(_ grant: Grant, withRefresh: Bool, trace: String) -> ServedResponse {
        var grant = grant
        let access = "at-" + newId(32)
        grant.expiresAt = tick() + Int64(settings.accessTokenLifetime) * 1000
        tokens.access[access] = grant
        var body: JSONObject = [
            "access_token": .string(access), "token_type": "Bearer", "expires_in": .number(Double(settings.accessTokenLifetime)),
            "scope": .string(grant.scopes.joined(separator: " ")),
            "userType": .string(grant.userType), "userId": "user-1",
        ]
        if withRefresh {
            let refresh = "rt-" + newId(32)
            tokens.refresh[refresh] = grant
            body["refresh_token"] = .string(refresh)
        }
        if let location = grant.locationId { body["locationId"] = .string(location) }
        if let company = grant.companyId { body["companyId"] = .string(company) }
        if grant.userType == "Company" { body["approvedLocations"] = .array(grant.approvedLocations.map { .string($0) }) }
        return Answer.ok(body)
    }
}
