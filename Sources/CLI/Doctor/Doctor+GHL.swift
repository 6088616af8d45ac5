import Connectors
import Foundation
import GHLClient
import StateStore
import SyncCore
import Transport

extension Doctor {
    /// GoHighLevel: reachable, the token accepted, the location readable, the scopes each mapping needs.
    /// Only reads are sent, and write probes that cannot change anything (see `GHLClient.probe`); an
    /// OAuth token is used as stored, never refreshed (a refresh rotates the stored pair).
    func ghlChecks(_ ground: Ground) async -> SideResult {
        let ids = (reach: "ghl.reachable", token: "ghl.token", location: "ghl.location")
        let names = (reach: "GoHighLevel reachable", token: "GoHighLevel token", location: "GoHighLevel location")
        let scopeLines = ground.mappings.map { $0.map { ("ghl.scopes.\($0.entity)", "GoHighLevel scopes for \($0.entity)") } }
            ?? [("ghl.scopes", "GoHighLevel scopes")]
        func skipAll(_ reason: String, from start: Int = 0) -> [DoctorCheck] {
            let all = [(ids.reach, names.reach), (ids.token, names.token), (ids.location, names.location)] + scopeLines
            return all.dropFirst(start).map { .skip($0.0, $0.1, because: reason) }
        }
        guard let config = ground.config, ground.ghlBlocked == nil else {
            let reason = ground.ghlBlocked ?? "the config is not valid"
            return SideResult(checks: skipAll(reason), clock: .missing(reason))
        }
        let clients = wiring(config)
        let location = config.ghl.locationId

        // The token: a PIT from the environment, or the stored OAuth pair, opened but not refreshed.
        var tokenCheck: DoctorCheck?
        var pair: TokenPair?
        var expired = false
        let credentials: PrivateToken
        switch config.ghl.auth {
        case .privateToken(let tokenEnv):
            credentials = PrivateToken(environment[tokenEnv] ?? "")
        case .oauth:
            let slot = TokenKeeper.slot(location: location)
            if let blocked = ground.stateBlocked {
                tokenCheck = .skip(ids.token, names.token, because: "\(blocked), and the OAuth tokens live there")
            } else if let store = ground.store {
                do {
                    if let sealed = try store.token(name: slot) {
                        pair = try TokenSealer(environmentVariable: config.tokenKeyEnv, environment: environment).open(sealed, name: slot)
                    }
                } catch let error as TokenSealError {
                    tokenCheck = .fail(ids.token, names.token, error.description,
                                       fix: "set $\(config.tokenKeyEnv) to the key the tokens were sealed with, or run `espo-ghl-sync auth login` again")
                } catch {
                    tokenCheck = .fail(ids.token, names.token, "\(error)", fix: Self.fix(for: error as? StateStoreError
                        ?? StateStoreError(path: config.state, kind: .database(detail: "\(error)"))))
                }
            }
            if tokenCheck == nil, pair == nil {
                tokenCheck = .fail(ids.token, names.token, "no OAuth tokens are stored for location \(location) in \(config.state)",
                                   fix: "run `espo-ghl-sync auth login` and install the app on location \(location)")
            }
            if let stored = pair { expired = stored.expiresAt <= Int64(Date().timeIntervalSince1970 * 1000) }
            credentials = PrivateToken(pair?.accessToken ?? "")
        }
        let client = clients.ghlClient(credentials: credentials)

        // One read answers reachability, the token and the location, and carries the server's clock.
        var checks: [DoctorCheck] = []
        var clock = ClockSample.missing("GoHighLevel sent no Date header")
        var locationCheck: DoctorCheck
        do {
            let (found, serverDate) = try await client.location()
            if let serverDate { clock = .measured(server: serverDate, local: Date()) }
            checks.append(.pass(ids.reach, names.reach, "\(config.ghl.baseURL) answered"))
            locationCheck = .pass(ids.location, names.location, "\(found.name.map { "\"\($0)\" " } ?? "")(\(found.id)) is readable")
        } catch {
            if let date = error.response?.date { clock = .measured(server: date, local: Date()) }
            guard let status = error.status, status < 500 else {
                let reason = "\(config.ghl.baseURL) did not answer"
                clock = .missing(reason)
                checks.append(.fail(ids.reach, names.reach, "\(error.description)",
                                    fix: "check $.ghl.baseURL in \(config.file) (GoHighLevel's is https://services.leadconnectorhq.com) and this machine's network, proxy and firewall"))
                return SideResult(checks: checks + skipAll(reason, from: 1), clock: clock)
            }
            checks.append(.pass(ids.reach, names.reach, "\(config.ghl.baseURL) answered"))
            if status == 401, !error.message.lowercased().contains("scope") {
                if expired, let pair {
                    checks.append(.pass(ids.token, names.token, Self.expiredNote(pair)))
                    return SideResult(checks: checks + skipAll("the access token has expired; doctor does not refresh it", from: 2), clock: clock)
                }
                if let tokenCheck {
                    checks.append(tokenCheck)
                } else if let pair {
                    checks.append(.fail(
                        ids.token, names.token,
                        "GoHighLevel refused the stored access token before its expiry (\(Timestamp.iso8601(pair.expiresAt / 1000))): \(error.message)",
                        fix: "the app may have been uninstalled or its tokens revoked; if the next sync fails too (it tries a refresh), \(tokenFix(config))"))
                } else {
                    checks.append(.fail(ids.token, names.token, "GoHighLevel refused the token: \(error.message)", fix: tokenFix(config)))
                }
                return SideResult(checks: checks + skipAll("GoHighLevel refused the token", from: 2), clock: clock)
            }
            switch status {
            case 401:
                locationCheck = .fail(ids.location, names.location, "the token may not read location \(location): \(error.message)",
                                      fix: grantFix(config, [.locationsReadonly]))
            case 403:
                locationCheck = .fail(ids.location, names.location, "the token has no access to location \(location): \(error.message)",
                                      fix: "use a token of sub-account \(location) (Private Integration or app installed there), or set $.ghl.locationId in \(config.file) to the location the token belongs to")
                checks.append(tokenPass(pair))
                return SideResult(checks: checks + [locationCheck] + skipAll("the token has no access to location \(location)", from: 3), clock: clock)
            default:
                locationCheck = .fail(ids.location, names.location, "location \(location) cannot be read: \(error.description)",
                                      fix: "check $.ghl.locationId in \(config.file): Settings → Business Profile in the sub-account shows its id")
                checks.append(tokenPass(pair))
                return SideResult(checks: checks + [locationCheck] + skipAll("location \(location) cannot be read", from: 3), clock: clock)
            }
        }
        if let tokenCheck, tokenCheck.status != .pass {
            // Tokens missing or unopenable, yet the server answered: say so, and stop here.
            checks.append(tokenCheck)
            return SideResult(checks: checks + skipAll("no usable token", from: 2), clock: clock)
        }
        if expired, let pair {
            checks.append(.pass(ids.token, names.token, Self.expiredNote(pair)))
            checks.append(.skip(ids.location, names.location, because: "the access token has expired; doctor does not refresh it"))
        } else {
            checks.append(tokenPass(pair))
            checks.append(locationCheck)
        }
        checks += await scopeChecks(ground.mappings, pair: pair, expired: expired, client: client, config: config)
        return SideResult(checks: checks, clock: clock)
    }

    private func tokenPass(_ pair: TokenPair?) -> DoctorCheck {
        guard let pair else { return .pass("ghl.token", "GoHighLevel token", "accepted (Private Integration Token)") }
        return .pass("ghl.token", "GoHighLevel token",
                     "OAuth tokens stored and accepted; the access token is valid until \(Timestamp.iso8601(pair.expiresAt / 1000))")
    }

    static func expiredNote(_ pair: TokenPair) -> String {
        "OAuth tokens stored; the access token expired at \(Timestamp.iso8601(pair.expiresAt / 1000)) and the next sync refreshes it (doctor does not: a refresh rotates the stored tokens)"
    }

    private func tokenFix(_ config: Config) -> String {
        switch config.ghl.auth {
        case .privateToken(let tokenEnv):
            "create a Private Integration Token in sub-account \(config.ghl.locationId) (Settings → Private Integrations) and export it in $\(tokenEnv)"
        case .oauth:
            "run `espo-ghl-sync auth login` again (the app may have been uninstalled from location \(config.ghl.locationId))"
        }
    }

    /// Where to grant `scopes`, for the token kind the config uses.
    private func grantFix(_ config: Config, _ scopes: [GHLScope]) -> String {
        let list = scopes.map(\.rawValue).joined(separator: ", ")
        switch config.ghl.auth {
        case .privateToken:
            return "grant \(list) to the Private Integration (sub-account \(config.ghl.locationId) → Settings → Private Integrations → edit its scopes)"
        case .oauth:
            return "add \(list) to the app's scopes (Marketplace → your app → Auth → Scopes), then run `espo-ghl-sync auth login` again: a token keeps the scopes it was granted with"
        }
    }

    /// One check per mapping: the scopes its calls need against those granted (the OAuth pair's `scope`,
    /// or, for a PIT, asked of the server scope by scope).
    private func scopeChecks(_ mappings: [Mapping]?, pair: TokenPair?, expired: Bool, client: GHLClient, config: Config) async -> [DoctorCheck] {
        guard let mappings else { return [.skip("ghl.scopes", "GoHighLevel scopes", because: "the mappings are not valid")] }
        var granted: Set<GHLScope>?
        if let scope = pair?.scope { granted = GHLScope.parse(scope) }
        var probed: [GHLScope: ScopeProbe] = [:]
        var checks: [DoctorCheck] = []
        for mapping in mappings {
            let id = "ghl.scopes.\(mapping.entity)", name = "GoHighLevel scopes for \(mapping.entity)"
            let needed = GHLConnector.scopes(for: mapping)
            var missing: [GHLScope] = []
            var unknown: [String] = []
            if let granted {
                missing = needed.filter { !granted.contains($0) }
            } else if expired {
                checks.append(.skip(id, name, because: "the stored tokens report no scopes and the access token has expired"))
                continue
            } else {
                for scope in needed {
                    if probed[scope] == nil { probed[scope] = await client.probe(scope) }
                    switch probed[scope]! {
                    case .granted: break
                    case .refused: missing.append(scope)
                    case .failed(let error): unknown.append("\(scope.rawValue): \(error.description)")
                    }
                }
            }
            let source = granted == nil ? "asked of GoHighLevel" : "granted to the app"
            if !missing.isEmpty {
                checks.append(.fail(id, name, "missing \(missing.map(\.rawValue).joined(separator: ", ")) (needs \(needed.map(\.rawValue).joined(separator: ", ")); \(source))",
                                    fix: grantFix(config, missing)))
            } else if !unknown.isEmpty {
                checks.append(.fail(id, name, "could not check: " + unknown.joined(separator: "; "),
                                    fix: "run `espo-ghl-sync doctor` again; if it persists, check GoHighLevel's status page"))
            } else {
                checks.append(.pass(id, name, "\(needed.map(\.rawValue).joined(separator: ", ")) (\(source))"))
            }
        }
        return checks
    }
}
