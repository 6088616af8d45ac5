import Connectors
import Engine
import Foundation
import GHLClient
import StateStore
import SyncCore

extension Doctor {
    /// Config, mappings, secrets and the state file: nothing leaves this machine.
    func localChecks(into checks: inout [DoctorCheck]) -> Ground {
        var ground = Ground()
        let config: Config
        do { config = try Config.load(file: file) } catch {
            checks.append(.fail(
                "config", "config", error.issues.map { "\($0.file): \($0.path): \($0.message)" }.joined(separator: "\n"),
                fix: error.issues.map(\.fix).joined(separator: "\n")))
            let reason = "the config is not valid"
            checks += [
                .skip("mappings", "mappings", because: reason), .skip("secrets", "secrets", because: reason),
                .skip("state", "state file", because: reason),
            ]
            ground.ghlBlocked = reason
            ground.espoBlocked = reason
            return ground
        }
        ground.config = config
        checks.append(.pass("config", "config", "\(config.file) is valid"))
        checks.append(mappingsCheck(config, ground: &ground))
        checks.append(secretsCheck(config, ground: &ground))
        checks.append(stateCheck(config, ground: &ground))
        return ground
    }

    private func mappingsCheck(_ config: Config, ground: inout Ground) -> DoctorCheck {
        let mappings: [Mapping]
        do { mappings = try Mapping.loadAll(directory: config.mappings) } catch {
            return .fail(
                "mappings", "mappings", error.issues.map { "\($0.file): \($0.path): \($0.message)" }.joined(separator: "\n"),
                fix: error.issues.map(\.fix).joined(separator: "\n"))
        }
        // What `mapping validate` and a run refuse besides the files' own problems.
        let problems = MappingCommand.problems(in: mappings)
        guard problems.isEmpty else {
            return .fail("mappings", "mappings", problems.joined(separator: "\n"),
                         fix: "correct each mapping file named above (`espo-ghl-sync mapping validate` checks them)")
        }
        ground.mappings = mappings
        return .pass("mappings", "mappings", "\(mappings.count) in \(config.mappings): \(mappings.map(\.entity).joined(separator: ", "))")
    }

    /// Every environment variable the config names, by the key that names it.
    static func variables(_ config: Config) -> (ghl: [(key: String, name: String)], espo: [(key: String, name: String)]) {
        var ghl: [(key: String, name: String)]
        switch config.ghl.auth {
        case .privateToken(let tokenEnv): ghl = [("$.ghl.auth.tokenEnv", tokenEnv)]
        case .oauth(let idEnv, let secretEnv, _):
            ghl = [("$.ghl.auth.clientIdEnv", idEnv), ("$.ghl.auth.clientSecretEnv", secretEnv), ("$.tokenKeyEnv", config.tokenKeyEnv)]
        }
        let espo: [(key: String, name: String)]
        switch config.espo.auth {
        case .apiKey(let keyEnv): espo = [("$.espo.auth.apiKeyEnv", keyEnv)]
        case .hmac(let keyEnv, let secretEnv): espo = [("$.espo.auth.apiKeyEnv", keyEnv), ("$.espo.auth.secretKeyEnv", secretEnv)]
        case .basic(let userEnv, let passwordEnv): espo = [("$.espo.auth.usernameEnv", userEnv), ("$.espo.auth.passwordEnv", passwordEnv)]
        }
        return (ghl, espo)
    }

    private func secretsCheck(_ config: Config, ground: inout Ground) -> DoctorCheck {
        let (ghl, espo) = Self.variables(config)
        // The same rule, message and fix as the run's own reading of them (`Secrets`).
        let secrets = Secrets(environment: environment)
        func isSet(_ name: String) -> Bool { (try? secrets.value(name, for: "", file: config.file)) != nil }
        var missing: [(key: String, name: String)] = []
        var problems: [String] = []
        var fixes: [String] = []
        for variable in ghl + espo where !missing.contains(where: { $0.name == variable.name }) {
            do { _ = try secrets.value(variable.name, for: variable.key, file: config.file) } catch {
                missing.append(variable)
                for issue in error.issues {
                    problems.append("$\(variable.name) is not set (\(variable.key) names it)")
                    fixes.append(issue.fix)
                }
            }
        }
        if case .oauth = config.ghl.auth, isSet(config.tokenKeyEnv) {
            do { _ = try TokenSealer(environmentVariable: config.tokenKeyEnv, environment: environment) } catch {
                problems.append("$\(config.tokenKeyEnv): \(error.description)")
                fixes.append("set $\(config.tokenKeyEnv) to the 32-byte key the tokens were sealed with (base64 or 64 hex digits)")
                missing.append(("$.tokenKeyEnv", config.tokenKeyEnv))
            }
        }
        let ghlMissing = missing.filter { variable in ghl.contains { $0.name == variable.name } }
        let espoMissing = missing.filter { variable in espo.contains { $0.name == variable.name } }
        if !ghlMissing.isEmpty { ground.ghlBlocked = ghlMissing.map { "$\($0.name)" }.joined(separator: ", ") + " not usable" }
        if !espoMissing.isEmpty { ground.espoBlocked = espoMissing.map { "$\($0.name)" }.joined(separator: ", ") + " not usable" }
        let names = (ghl + espo).map { "$\($0.name)" }
        guard problems.isEmpty else {
            return .fail("secrets", "secrets", problems.joined(separator: "\n"), fix: fixes.joined(separator: "\n"))
        }
        return .pass("secrets", "secrets", "set: " + names.joined(separator: ", "))
    }

    private func stateCheck(_ config: Config, ground: inout Ground) -> DoctorCheck {
        let name = "state file"
        let store: StateStore
        do {
            guard let opened = try StateStore.openReadOnly(path: config.state) else {
                return .pass("state", name, "none at \(config.state) yet: the first sync creates it")
            }
            store = opened
        } catch {
            ground.stateBlocked = "the state file cannot be read"
            return .fail("state", name, error.description, fix: Self.fix(for: error))
        }
        let version: Int
        do { version = try store.fileSchemaVersion() } catch {
            ground.stateBlocked = "the state file cannot be read"
            return .fail("state", name, error.description, fix: Self.fix(for: error))
        }
        ground.store = store
        let current = StateStore.schemaVersion
        if version == current { return .pass("state", name, "\(config.state), schema version \(version) (this build's)") }
        return .pass("state", name, "\(config.state), schema version \(version); the next sync migrates it to \(current)")
    }

    static func fix(for error: StateStoreError) -> String {
        switch error.kind {
        case .newerSchema: "upgrade espo-ghl-sync to the version that wrote the file (the file was not changed)"
        case .notAStateFile: "point \"state\" in the config at the state file, or move this file away"
        case .corrupt, .emptyFile: "stop scheduled runs and restore the state file from a backup; do not delete it"
        case .busy: "wait for the other espo-ghl-sync process to finish, then run doctor again"
        case .missingFolder(let folder): "create the folder \(folder), or set another \"state\" path"
        default: "check that this user may read the state file and its folder"
        }
    }
}
