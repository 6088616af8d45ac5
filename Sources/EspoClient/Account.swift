extension Espo {
    /// An Account (FACTS §5.4); it carries a `versionNumber` for optimistic concurrency.
    public struct Account: EspoEntity {
        public static let entityType = EntityType.account
        public let record: Record
        public let name: String?
        public let emailAddress: String?
        public let phoneNumber: String?
        public let website: String?
        public let type: String?
        public let versionNumber: Int?

        public init(record: Record) throws(FieldError) {
            self.record = record
            name = try record.string("name")
            emailAddress = try record.string("emailAddress")
            phoneNumber = try record.string("phoneNumber")
            website = try record.string("website")
            type = try record.string("type")
            versionNumber = try record.int("versionNumber")
        }
    }
}
