import SyncCore
import Transport

extension Espo {
    /// What a create led to.
    public enum CreateOutcome<Entity: EspoEntity>: Sendable {
        case created(Entity)
        /// 409 `duplicate`: nothing was created; these are the records EspoCRM matched (at most 5) by
        /// name or e-mail. Link to one of them, or create again with `skipDuplicateCheck`.
        case duplicate([Entity])

        /// The new record, when one was created.
        public var created: Entity? {
            if case .created(let entity) = self { return entity }
            return nil
        }
    }

    /// What an update led to.
    public enum UpdateOutcome<Entity: EspoEntity>: Sendable {
        case updated(Entity)
        /// 409 `modified`: the record changed since `versionNumber` was read; nothing was written.
        case modified(VersionConflict)

        /// The updated record, when the update was applied.
        public var updated: Entity? {
            if case .updated(let entity) = self { return entity }
            return nil
        }
    }

    /// The body of a 409 `modified`: the stored values of the attributes that would have changed,
    /// and the current version (FACTS §8).
    public struct VersionConflict: Sendable, Equatable {
        public var values: JSONObject
        public var versionNumber: Int

        public init(values: JSONObject, versionNumber: Int) {
            self.values = values
            self.versionNumber = versionNumber
        }
    }

    /// One page of a list: the records that could be read, and an error per record that could not.
    public struct Page<Entity: EspoEntity>: Sendable {
        public var records: [Entity]
        /// Records of the page whose attributes did not have the spec's types; each names the field.
        public var failures: [APIError]
        /// Matching records in all, as the server counted them (-1/-2 when counting is off).
        public var total: Int

        public init(records: [Entity], failures: [APIError], total: Int) {
            self.records = records
            self.failures = failures
            self.total = total
        }
    }
}
