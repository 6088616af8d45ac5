extension Espo {
    /// A Task (FACTS §5.2); it carries a `versionNumber` for optimistic concurrency.
    public struct Task: EspoEntity {
        public static let entityType = EntityType.task
        public let record: Record
        public let name: String?
        /// `Not Started`, `Started`, `Completed`, `Canceled` or `Deferred`.
        public let status: String?
        public let priority: String?
        public let dateStart: String?
        public let dateEnd: String?
        public let parentType: String?
        public let parentId: String?
        public let assignedUserId: String?
        public let description: String?
        public let versionNumber: Int?
        /// All-day forms of `dateStart`/`dateEnd` (`YYYY-MM-DD`); `dateEnd` is then the midnight
        /// after `dateEndDate` (FACTS §4).
        public let dateStartDate: String?
        public let dateEndDate: String?
        /// Read-only: set when `status` became `Completed`, cleared when it left it.
        public let dateCompleted: String?
        /// Read-only, derived from a Contact parent.
        public let contactId: String?

        public init(record: Record) throws(FieldError) {
            self.record = record
            name = try record.string("name")
            status = try record.string("status")
            priority = try record.string("priority")
            dateStart = try record.string("dateStart")
            dateEnd = try record.string("dateEnd")
            parentType = try record.string("parentType")
            parentId = try record.string("parentId")
            assignedUserId = try record.string("assignedUserId")
            description = try record.string("description")
            versionNumber = try record.int("versionNumber")
            dateStartDate = try record.string("dateStartDate")
            dateEndDate = try record.string("dateEndDate")
            dateCompleted = try record.string("dateCompleted")
            contactId = try record.string("contactId")
        }
    }
}
