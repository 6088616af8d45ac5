import Transport

extension Espo {
    /// The parameters of one list request (FACTS §3.1).
    public struct ListQuery: Sendable, Equatable {
        /// The most EspoCRM returns per page; more is answered 403.
        public static let maxPageSize = 200

        public var filters: [Where]
        /// Attributes to return (`id` always comes back); nil for all of the list's attributes.
        public var select: [String]?
        public var orderBy: String?
        public var ascending: Bool
        public var offset: Int
        public var maxSize: Int

        public init(
            filters: [Where] = [], select: [String]? = nil, orderBy: String? = "modifiedAt", ascending: Bool = true,
            offset: Int = 0, maxSize: Int = ListQuery.maxPageSize
        ) {
            self.filters = filters
            self.select = select
            self.orderBy = orderBy
            self.ascending = ascending
            self.offset = offset
            self.maxSize = maxSize
        }

        /// The query string's fields, in the order EspoCRM's own client sends them.
        public var queryFields: [Request.FormField] {
            var fields: [Request.FormField] = [
                .init("maxSize", String(min(max(maxSize, 0), ListQuery.maxPageSize))), .init("offset", String(offset)),
            ]
            if let orderBy {
                fields.append(.init("orderBy", orderBy))
                fields.append(.init("order", ascending ? "asc" : "desc"))
            }
            if let select { fields.append(.init("select", select.joined(separator: ","))) }
            return fields + Where.queryFields(filters)
        }
    }
}
