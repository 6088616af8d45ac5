extension Espo {
    /// A Note: a post in a record's stream (FACTS §5.5).
    public struct Note: EspoEntity {
        public static let entityType = EntityType.note
        public let record: Record
        public let post: String?
        /// `Post` for what people (and the sync) write; other types are system notes.
        public let type: String?
        public let parentType: String?
        public let parentId: String?
        /// The stream's order: newest first by `number`.
        public let number: Int?
        public let createdAt: String?

        public init(record: Record) throws(FieldError) {
            self.record = record
            post = try record.string("post")
            type = try record.string("type")
            parentType = try record.string("parentType")
            parentId = try record.string("parentId")
            number = try record.int("number")
            createdAt = try record.string("createdAt")
        }
    }
}
