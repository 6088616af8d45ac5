extension Espo {
    /// A Note: a post in a record's stream, or a system note EspoCRM wrote (FACTS §5.5).
    public struct Note: EspoEntity {
        public static let entityType = EntityType.note
        public let record: Record
        public let post: String?
        /// `Post` for what people (and the sync) write; `Create`, `CreateRelated`, `Update`… are
        /// system notes.
        public let type: String?
        public let parentType: String?
        public let parentId: String?
        /// The stream's order: newest first by `number`.
        public let number: Int?
        public let createdAt: String?
        /// The author: only the author may edit (7 days) or delete (1 month) a post.
        public let createdById: String?
        public let createdByName: String?
        /// On a `CreateRelated` note: the record that was created (a Task or Meeting).
        public let relatedType: String?
        public let relatedId: String?

        public init(record: Record) throws(FieldError) {
            self.record = record
            post = try record.string("post")
            type = try record.string("type")
            parentType = try record.string("parentType")
            parentId = try record.string("parentId")
            number = try record.int("number")
            createdAt = try record.string("createdAt")
            createdById = try record.string("createdById")
            createdByName = try record.string("createdByName")
            relatedType = try record.string("relatedType")
            relatedId = try record.string("relatedId")
        }
    }
}
