import GHLClient
import StateStore

/// OAuth tokens live in the state file, sealed by the token keeper before they get there.
extension StateStore: TokenVault {}
