import Connectors
import Engine
import EspoClient
import Foundation
import GHLClient
import StateStore
import SyncCore
import Transport

/// Builds the clients and connectors a config describes, reading secrets from the environment.
/// Every missing secret is an error here, before any request.
struct Wiring {
    let config: Config
    let secrets: Secrets
    /// Hears every API call of the clients built here (both sides), for the metrics; nil: none.
    let calls: CallObserver?
    /// How patiently the clients built here repeat a call (`doctor` gives up sooner than a nightly run).
    var retry = RetryPolicy.standard

    init(config: Config, environment: [String: String] = ProcessInfo.processInfo.environment, calls: CallObserver? = nil) {
        self.config = config
        self.secrets = Secrets(environment: environment)
        self.calls = calls
    }

    /// Both connectors; GHL OAuth tokens come from (and go to) `store`, sealed with the config's key.
    func connectors(store: StateStore) throws -> PerSide<any Connector> {
        let calendars = GHLConnector.Calendars(
            calendarId: config.ghl.calendarId, pastDays: config.sync.appointmentPastDays,
            futureDays: config.sync.appointmentFutureDays)
        return PerSide(
            ghl: GHLConnector(client: try ghlClient(store: store), calendars: calendars),
            espo: EspoConnector(client: try espoClient(), assignedUserId: config.espo.assignedUserId))
    }

    func ghlClient(store: StateStore?) throws -> GHLClient {
        let credentials: any Credentials
        switch config.ghl.auth {
        case .privateToken(let tokenEnv):
            credentials = PrivateToken(try secret(tokenEnv, key: "$.ghl.auth.tokenEnv"))
        case .oauth:
            guard let store else { throw CommandError("OAuth tokens need the state file") }
            credentials = try tokenKeeper(store: store)
        }
        return ghlClient(credentials: credentials)
    }

    /// The config's GHL client with `credentials` (`doctor` uses the stored access token as it is, never refreshing it).
    func ghlClient(credentials: any Credentials) -> GHLClient {
        let limits = config.ghl.rateLimit
        let configuration = GHLClient.Configuration(
            locationId: config.ghl.locationId, baseURL: config.ghl.baseURL,
            limit: RateLimit(requests: limits.requests, interval: .milliseconds(Int64(limits.intervalSeconds * 1000)),
                             daily: limits.daily, concurrency: limits.concurrency),
            retry: retry,
            customFieldValueKey: config.ghl.customFieldValueKey == "fieldValue" ? .fieldValueCamelCase : .fieldValueSnakeCase)
        let client = GHLClient(configuration, credentials: credentials, exchanges: ExchangeLog.fromEnvironment(name: "cli-ghl"))
        if let calls { client.transport.observeCalls(calls) }
        return client
    }

    /// The keeper of the location's OAuth tokens (after `auth login` stored them).
    func tokenKeeper(store: StateStore) throws -> TokenKeeper {
        TokenKeeper(
            name: TokenKeeper.slot(location: config.ghl.locationId), vault: store, sealer: try sealer(),
            source: .refreshToken(try oauthSession()))
    }

    func oauthSession() throws -> OAuthSession {
        guard case .oauth(let idEnv, let secretEnv, let redirect) = config.ghl.auth else {
            throw CommandError("\(config.file): $.ghl.auth.type is not \"oauth\"; `auth` commands are for OAuth apps (a Private Integration Token needs no login)")
        }
        let app = OAuthApp(
            clientId: try secret(idEnv, key: "$.ghl.auth.clientIdEnv"),
            clientSecret: try secret(secretEnv, key: "$.ghl.auth.clientSecretEnv"), redirectURI: redirect)
        let session = OAuthSession(app: app, baseURL: config.ghl.baseURL, exchanges: ExchangeLog.fromEnvironment(name: "cli-ghl"))
        if let calls { session.observeCalls(calls) }
        return session
    }

    func sealer() throws -> TokenSealer {
        _ = try secret(config.tokenKeyEnv, key: "$.tokenKeyEnv")
        do { return try TokenSealer(environmentVariable: config.tokenKeyEnv) } catch {
            throw CommandError("\(config.file): $.tokenKeyEnv: \(error.description)")
        }
    }

    func espoClient() throws -> Espo.Client {
        let credentials: any Credentials
        switch config.espo.auth {
        case .apiKey(let keyEnv):
            credentials = Espo.APIKey(try secret(keyEnv, key: "$.espo.auth.apiKeyEnv"))
        case .hmac(let keyEnv, let secretEnv):
            credentials = Espo.HMAC(
                apiKey: try secret(keyEnv, key: "$.espo.auth.apiKeyEnv"),
                secret: try secret(secretEnv, key: "$.espo.auth.secretKeyEnv"))
        case .basic(let userEnv, let passwordEnv):
            credentials = Espo.Basic(
                username: try secret(userEnv, key: "$.espo.auth.usernameEnv"),
                password: try secret(passwordEnv, key: "$.espo.auth.passwordEnv"))
        }
        let limits = config.espo.rateLimit
        let client = Espo.Client(
            siteURL: config.espo.baseURL, credentials: credentials,
            rateLimit: RateLimit(requests: limits.requests, interval: .milliseconds(Int64(limits.intervalSeconds * 1000)),
                                 daily: limits.daily, concurrency: limits.concurrency),
            retry: retry, exchanges: ExchangeLog.fromEnvironment(name: "cli-espo"))
        if let calls { client.transport.observeCalls(calls) }
        return client
    }

    private func secret(_ name: String, key: String) throws -> String {
        do { return try secrets.value(name, for: key, file: config.file) } catch { throw CommandError(error.description) }
    }
}
