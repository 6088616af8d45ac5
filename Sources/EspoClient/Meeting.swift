extension Espo {
    /// A Meeting (FACTS §5.3); attendees are the `contacts` link.
    public struct Meeting: EspoEntity {
        public static let entityType = EntityType.meeting
        public let record: Record
        public let name: String?
        /// `Planned`, `Held` or `Not Held`.
        public let status: String?
        public let dateStart: String?
        public let dateEnd: String?
        public let parentType: String?
        public let parentId: String?
        public let assignedUserId: String?
        /// Attendees; a single read carries them, a list only when `contactsIds` is selected.
        /// Writing `contactsIds` replaces the whole set.
        public let contactsIds: [String]?
        public let description: String?
        /// All-day: then `dateStartDate`/`dateEndDate` (`YYYY-MM-DD`, end inclusive) are what was
        /// written, and `dateEnd` is the midnight after `dateEndDate` (FACTS §4).
        public let isAllDay: Bool?
        public let dateStartDate: String?
        public let dateEndDate: String?

        public init(record: Record) throws(FieldError) {
            self.record = record
            name = try record.string("name")
            status = try record.string("status")
            dateStart = try record.string("dateStart")
            dateEnd = try record.string("dateEnd")
            parentType = try record.string("parentType")
            parentId = try record.string("parentId")
            assignedUserId = try record.string("assignedUserId")
            contactsIds = try record.strings("contactsIds")
            description = try record.string("description")
            isAllDay = try record.bool("isAllDay")
            dateStartDate = try record.string("dateStartDate")
            dateEndDate = try record.string("dateEndDate")
        }
    }

    /// A Call (FACTS §5.3): a meeting with a `direction` and no stream.
    public struct Call: EspoEntity {
        public static let entityType = EntityType.call
        public let record: Record
        public let name: String?
        public let status: String?
        /// `Outbound` or `Inbound`.
        public let direction: String?
        public let dateStart: String?
        public let dateEnd: String?
        public let parentType: String?
        public let parentId: String?
        public let assignedUserId: String?
        public let contactsIds: [String]?

        public init(record: Record) throws(FieldError) {
            self.record = record
            name = try record.string("name")
            status = try record.string("status")
            direction = try record.string("direction")
            dateStart = try record.string("dateStart")
            dateEnd = try record.string("dateEnd")
            parentType = try record.string("parentType")
            parentId = try record.string("parentId")
            assignedUserId = try record.string("assignedUserId")
            contactsIds = try record.strings("contactsIds")
        }
    }
}
