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
        public let description: String?
        public let billingAddressStreet: String?
        public let billingAddressCity: String?
        public let billingAddressState: String?
        public let billingAddressPostalCode: String?
        public let billingAddressCountry: String?
        public let versionNumber: Int?

        public init(record: Record) throws(FieldError) {
            self.record = record
            name = try record.string("name")
            emailAddress = try record.string("emailAddress")
            phoneNumber = try record.string("phoneNumber")
            website = try record.string("website")
            type = try record.string("type")
            description = try record.string("description")
            billingAddressStreet = try record.string("billingAddressStreet")
            billingAddressCity = try record.string("billingAddressCity")
            billingAddressState = try record.string("billingAddressState")
            billingAddressPostalCode = try record.string("billingAddressPostalCode")
            billingAddressCountry = try record.string("billingAddressCountry")
            versionNumber = try record.int("versionNumber")
        }
    }
}
