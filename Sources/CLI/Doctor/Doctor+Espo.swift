import Connectors
import Engine
import EspoClient
import Foundation
import SyncCore
import Transport

extension Doctor {
    /// EspoCRM: reachable, the API user known (`GET App/user`), the role's access to every mapped entity
    /// type, every mapped attribute present (`GET Metadata`, the check a sync makes at its start). Reads only.
    func espoChecks(_ ground: Ground) async -> SideResult {
        let ids = (reach: "espo.reachable", user: "espo.user", attributes: "espo.attributes")
        let names = (reach: "EspoCRM reachable", user: "EspoCRM API user", attributes: "EspoCRM attributes")
        let accessChecks = ground.mappings.map { $0.map { ("espo.access.\($0.entity)", "EspoCRM access for \($0.entity)") } }
            ?? [("espo.access", "EspoCRM access")]
        func skipAll(_ reason: String, from start: Int = 0) -> [DoctorCheck] {
            let all = [(ids.reach, names.reach), (ids.user, names.user)] + accessChecks + [(ids.attributes, names.attributes)]
            return all.dropFirst(start).map { .skip($0.0, $0.1, because: reason) }
        }
        guard let config = ground.config, ground.espoBlocked == nil else {
            let reason = ground.espoBlocked ?? "the config is not valid"
            return SideResult(checks: skipAll(reason), clock: .missing(reason))
        }
        let client: Espo.Client
        do { client = try wiring(config).espoClient() } catch {
            return SideResult(checks: skipAll("\(error)"), clock: .missing("\(error)"))
        }
        var checks: [DoctorCheck] = []
        let user: Espo.User
        var clock = ClockSample.missing("EspoCRM sent no Date header")
        do {
            user = try await client.currentUser()
            if let date = user.serverDate { clock = .measured(server: date, local: Date()) }
        } catch {
            if let date = error.response?.date { clock = .measured(server: date, local: Date()) }
            let site = config.espo.baseURL
            guard let status = error.status, status < 500, status != 404 else {
                let reason = "\(site) did not answer as EspoCRM"
                if error.status == nil { clock = .missing(reason) }
                checks.append(.fail(ids.reach, names.reach, error.description,
                                    fix: error.status == 404
                                        ? "set $.espo.baseURL in \(config.file) to the site's root (the address you log in at); the client adds /api/v1"
                                        : "check $.espo.baseURL in \(config.file), that EspoCRM runs, and this machine's network, proxy and firewall"))
                return SideResult(checks: checks + skipAll(reason, from: 1), clock: clock)
            }
            checks.append(.pass(ids.reach, names.reach, "\(site)/api/v1 answered"))
            checks.append(.fail(ids.user, names.user, "EspoCRM refused the credentials: \(error.description)", fix: userFix(config, status: status)))
            return SideResult(checks: checks + skipAll("EspoCRM refused the credentials", from: 2), clock: clock)
        }
        checks.append(.pass(ids.reach, names.reach, "\(config.espo.baseURL)/api/v1 answered"))
        checks.append(.pass(ids.user, names.user, "\(user.userName) (id \(user.id)\(user.type.map { ", type \($0)" } ?? ""))"))
        guard let mappings = ground.mappings else {
            return SideResult(checks: checks + skipAll("the mappings are not valid", from: 2), clock: clock)
        }
        for mapping in mappings {
            checks.append(accessCheck(mapping, user: user))
        }
        checks.append(await attributesCheck(mappings, client: client, assignedUserId: config.espo.assignedUserId))
        return SideResult(checks: checks, clock: clock)
    }

    private func userFix(_ config: Config, status: Int) -> String {
        if status == 403 {
            return "EspoCRM refuses this address after repeated failed logins or for the user's role; wait a minute, check the user in Administration → API Users, then run doctor again"
        }
        switch config.espo.auth {
        case .apiKey(let keyEnv):
            return "set $\(keyEnv) to the API key of an active API user with authentication method \"API Key\" (Administration → API Users)"
        case .hmac(let keyEnv, let secretEnv):
            return "set $\(keyEnv) and $\(secretEnv) to the API key and secret key of an active API user with authentication method \"HMAC\" (Administration → API Users)"
        case .basic(let userEnv, let passwordEnv):
            return "set $\(userEnv) and $\(passwordEnv) to the user name and password of an active regular user"
        }
    }

    /// The role's levels against what the mapping's calls need: every record (`all`, `yes`), since a
    /// sync that sees only some records would take the others for deleted.
    private func accessCheck(_ mapping: Mapping, user: Espo.User) -> DoctorCheck {
        let id = "espo.access.\(mapping.entity)", name = "EspoCRM access for \(mapping.entity)"
        let needed = EspoConnector.permissions(for: mapping)
        let summary = needed.map { "\($0.scope) \($0.action)" }.joined(separator: ", ")
        guard let table = user.access else {
            return .skip(id, name, because: "EspoCRM's App/user answer carries no acl table to read the role from")
        }
        var short: [String] = []
        for permission in needed {
            let level = table[permission.scope]?.level(permission.action) ?? "no"
            if !(table[permission.scope]?.coversAll(permission.action) ?? false) {
                short.append("\(permission.scope) \(permission.action) is \"\(level)\"")
            }
        }
        guard short.isEmpty else {
            let settings = needed.filter { !(table[$0.scope]?.coversAll($0.action) ?? false) }
                .map { "\($0.scope) \($0.action): \($0.action == "create" ? "yes" : "all")" }
            return .fail(id, name, "the role of \(user.userName) does not allow what a sync does: " + short.joined(separator: ", "),
                         fix: "in EspoCRM, Administration → Roles → the role of API user \(user.userName), set " + settings.joined(separator: "; "))
        }
        return .pass(id, name, summary)
    }

    private func attributesCheck(_ mappings: [Mapping], client: Espo.Client, assignedUserId: String?) async -> DoctorCheck {
        let id = "espo.attributes", name = "EspoCRM attributes"
        let missing: [EngineError]
        do { missing = try await EspoConnector(client: client, assignedUserId: assignedUserId).missingAttributes(mappings) } catch {
            return .fail(id, name, "the field definitions cannot be read: \(error.description)",
                         fix: "let the API user's role read the mapped entity types; then run doctor again")
        }
        guard missing.isEmpty else {
            return .fail(id, name, missing.map(\.description).joined(separator: "\n"),
                         fix: "create each field named above in EspoCRM (Administration → Entity Manager → the entity → Fields), or remove it from its mapping")
        }
        let count = mappings.reduce(0) { $0 + $1.fields.reduce(0) { $0 + $1.sources.espo.paths.count } }
        return .pass(id, name, "all \(count) mapped attributes exist on \(Set(mappings.map(\.sides.espo.object)).sorted().joined(separator: ", "))")
    }
}
