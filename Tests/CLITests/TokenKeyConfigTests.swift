import CLI
import Foundation
import SyncCore
import Testing

/// `tokenKeyEnv` and `newTokenKeyEnv`: the variables of the current key and of the one `auth rotate-key` moves to.
@Suite struct TokenKeyConfigTests {
    func parse(_ keys: String) throws(ConfigError) -> Config {
        try Config.parse(Array("""
            { "ghl": { "locationId": "l", "auth": { "type": "privateToken", "tokenEnv": "T" } },
              "espo": { "baseURL": "https://crm.example.com", "auth": { "type": "apiKey", "apiKeyEnv": "K" } }\(keys) }
            """.utf8), file: "/etc/sync/espo-ghl-sync.json")
    }

    @Test func theNewKeyVariableHasADefaultAndCanBeNamed() throws {
        #expect(try parse("").newTokenKeyEnv == "ESPO_GHL_SYNC_NEW_TOKEN_KEY")
        let named = try parse(#", "tokenKeyEnv": "SYNC_KEY", "newTokenKeyEnv": "SYNC_KEY_NEXT""#)
        #expect(named.tokenKeyEnv == "SYNC_KEY" && named.newTokenKeyEnv == "SYNC_KEY_NEXT")
    }

    @Test func theNewKeyVariableMustDifferFromTheCurrentOne() {
        #expect {
            try parse(#", "tokenKeyEnv": "SYNC_KEY", "newTokenKeyEnv": "SYNC_KEY""#)
        } throws: { error in
            let issues = (error as? ConfigError)?.issues ?? []
            return issues.count == 1 && issues[0].path == "$.newTokenKeyEnv" && "\(issues[0])".contains("same variable")
        }
    }
}
