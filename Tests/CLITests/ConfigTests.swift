import CLI
import Foundation
import SyncCore
import Testing

@Suite struct ConfigTests {
    let file = "/etc/sync/espo-ghl-sync.json"

    func parse(_ text: String) throws(ConfigError) -> Config {
        try Config.parse(Array(text.utf8), file: file)
    }

    func issues(_ text: String) -> [DocumentIssue] {
        do {
            _ = try parse(text)
            return []
        } catch {
            return error.issues
        }
    }

    @Test func theIssuesExampleLoadsWithDefaultsAndResolvedPaths() throws {
        let config = try parse("""
            { "ghl":  { "baseURL": "https://services.leadconnectorhq.com", "locationId": "loc1",
                        "auth": { "type": "privateToken", "tokenEnv": "GHL_TOKEN" } },
              "espo": { "baseURL": "https://crm.example.com/",
                        "auth": { "type": "apiKey", "apiKeyEnv": "ESPO_API_KEY" } },
              "state": "state.sqlite",
              "mappings": "../maps" }
            """)
        #expect(config.ghl.locationId == "loc1")
        #expect(config.ghl.auth == .privateToken(tokenEnv: "GHL_TOKEN"))
        #expect(config.espo.baseURL == "https://crm.example.com")
        #expect(config.espo.auth == .apiKey(apiKeyEnv: "ESPO_API_KEY"))
        #expect(config.state == "/etc/sync/state.sqlite")
        #expect(config.mappings == "/etc/maps")
        #expect(config.ghl.rateLimit.requests == 100)
        #expect(config.ghl.rateLimit.daily == 200_000)
        #expect(config.sync.maxDeletes == 10)
        #expect(config.tokenKeyEnv == Config.defaultTokenKeyEnv)
    }

    @Test func oauthHmacAndTunedLimitsLoad() throws {
        let config = try parse("""
            { "ghl": { "locationId": "l", "auth": { "type": "oauth", "clientIdEnv": "ID", "clientSecretEnv": "SECRET" },
                       "rateLimit": { "requests": 50, "concurrency": 2 } },
              "espo": { "baseURL": "http://localhost:8080", "auth": { "type": "hmac", "apiKeyEnv": "K", "secretKeyEnv": "S" } },
              "state": "/var/lib/sync/state.sqlite", "sync": { "maxDeletes": 25, "fullScanEveryDays": 0 } }
            """)
        #expect(config.ghl.baseURL == "https://services.leadconnectorhq.com")
        #expect(config.ghl.auth == .oauth(clientIdEnv: "ID", clientSecretEnv: "SECRET", redirectURI: "http://127.0.0.1:8765/callback"))
        #expect(config.ghl.rateLimit.requests == 50)
        #expect(config.ghl.rateLimit.intervalSeconds == 10)
        #expect(config.espo.auth == .hmac(apiKeyEnv: "K", secretKeyEnv: "S"))
        #expect(config.state == "/var/lib/sync/state.sqlite")
        #expect(config.sync.maxDeletes == 25)
        #expect(config.sync.fullScanEveryDays == 0)
    }

    @Test func everyProblemIsReportedWithItsKeyAndFix() {
        let found = issues("""
            { "ghl": { "locationid": "l", "auth": { "type": "token" } },
              "espo": { "baseURL": "crm.example.com", "auth": { "type": "apiKey", "apiKeyEnv": "1234abcd-secret!" } },
              "sync": { "maxDeleteFraction": 5 } }
            """)
        let paths = Set(found.map(\.path))
        #expect(paths.contains("$.ghl.locationid"))
        #expect(found.first { $0.path == "$.ghl.locationid" }?.fix.contains("did you mean \"locationId\"") == true)
        #expect(paths.contains("$.ghl"))  // locationId missing
        #expect(paths.contains("$.ghl.auth.type"))
        #expect(paths.contains("$.espo.baseURL"))
        #expect(paths.contains("$.espo.auth.apiKeyEnv"))
        #expect(paths.contains("$.sync.maxDeleteFraction"))
        #expect(found.allSatisfy { $0.file == file && !$0.fix.isEmpty })
        // A pasted secret is never echoed back in the error.
        #expect(!found.map(\.description).joined().contains("1234abcd-secret!"))
    }

    @Test func aSyntaxErrorNamesLineAndColumn() {
        let found = issues("{\n  \"ghl\": {,\n}")
        #expect(found.count == 1)
        #expect(found[0].path.hasPrefix("line 2"))
    }

    @Test func anEspoURLWithTheAPIPathIsRefused() {
        let found = issues("""
            { "ghl": { "locationId": "l", "auth": { "type": "privateToken", "tokenEnv": "T" } },
              "espo": { "baseURL": "https://crm.example.com/api/v1", "auth": { "type": "apiKey", "apiKeyEnv": "K" } } }
            """)
        #expect(found.map(\.path) == ["$.espo.baseURL"])
    }

    @Test func aMissingSecretNamesTheVariableAndTheKey() {
        let secrets = Secrets(environment: ["OTHER": "x", "EMPTY": " "])
        #expect(throws: ConfigError.self) { try secrets.value("GHL_TOKEN", for: "$.ghl.auth.tokenEnv", file: file) }
        do {
            _ = try secrets.value("EMPTY", for: "$.ghl.auth.tokenEnv", file: file)
        } catch {
            #expect(error.description.contains("EMPTY"))
            #expect(error.description.contains("$.ghl.auth.tokenEnv"))
        }
        #expect((try? secrets.value("OTHER", for: "k", file: file)) == "x")
    }

    @Test func aMissingFileSaysHowToFixIt() {
        do {
            _ = try Config.load(file: "/nonexistent/espo-ghl-sync.json")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("--config"))
        }
    }
}
