import SyncCore

extension Espo {
    /// A Contact (FACTS §5.1). `emailAddressData` and `phoneNumberData` are only present on a
    /// single-record read or a write's answer, never in a list page.
    public struct Contact: EspoEntity {
        public static let entityType = EntityType.contact
        public let record: Record
        public let firstName: String?
        public let lastName: String?
        public let emailAddress: String?
        public let phoneNumber: String?
        public let emailAddressData: [EmailAddress]?
        public let phoneNumberData: [PhoneNumberEntry]?
        /// The primary account.
        public let accountId: String?
        /// The primary account's name (read-only).
        public let accountName: String?
        public let accountsIds: [String]?
        public let doNotCall: Bool?
        public let description: String?

        public init(record: Record) throws(FieldError) {
            self.record = record
            firstName = try record.string("firstName")
            lastName = try record.string("lastName")
            emailAddress = try record.string("emailAddress")
            phoneNumber = try record.string("phoneNumber")
            emailAddressData = try record.objects("emailAddressData", EmailAddress.init(_:path:))
            phoneNumberData = try record.objects("phoneNumberData", PhoneNumberEntry.init(_:path:))
            accountId = try record.string("accountId")
            accountName = try record.string("accountName")
            accountsIds = try record.strings("accountsIds")
            doNotCall = try record.bool("doNotCall")
            description = try record.string("description")
        }
    }

    /// One entry of `emailAddressData`.
    public struct EmailAddress: Sendable, Equatable {
        public var emailAddress: String
        public var primary: Bool
        public var optOut: Bool
        public var invalid: Bool

        public init(emailAddress: String, primary: Bool, optOut: Bool = false, invalid: Bool = false) {
            self.emailAddress = emailAddress
            self.primary = primary
            self.optOut = optOut
            self.invalid = invalid
        }

        init(_ object: JSONObject, path: String) throws(FieldError) {
            guard case .string(let address)? = object["emailAddress"] else {
                throw FieldError(field: path + ".emailAddress", expected: "a string", got: object["emailAddress"])
            }
            emailAddress = address
            primary = try flag(object, "primary", path)
            optOut = try flag(object, "optOut", path)
            invalid = try flag(object, "invalid", path)
        }

        /// The entry as EspoCRM takes it in `emailAddressData`.
        public var json: JSON {
            ["emailAddress": .string(emailAddress), "primary": .bool(primary), "optOut": .bool(optOut), "invalid": .bool(invalid)]
        }
    }

    /// One entry of `phoneNumberData`.
    public struct PhoneNumberEntry: Sendable, Equatable {
        public var phoneNumber: String
        /// `Mobile`, `Office`, `Home`, `Fax` or `Other`.
        public var type: String
        public var primary: Bool
        public var optOut: Bool
        public var invalid: Bool

        public init(phoneNumber: String, type: String = "Mobile", primary: Bool, optOut: Bool = false, invalid: Bool = false) {
            self.phoneNumber = phoneNumber
            self.type = type
            self.primary = primary
            self.optOut = optOut
            self.invalid = invalid
        }

        init(_ object: JSONObject, path: String) throws(FieldError) {
            guard case .string(let number)? = object["phoneNumber"] else {
                throw FieldError(field: path + ".phoneNumber", expected: "a string", got: object["phoneNumber"])
            }
            phoneNumber = number
            switch object["type"] {
            case nil, .null?: type = "Mobile"
            case .string(let text)?: type = text
            case let other: throw FieldError(field: path + ".type", expected: "a string", got: other)
            }
            primary = try flag(object, "primary", path)
            optOut = try flag(object, "optOut", path)
            invalid = try flag(object, "invalid", path)
        }

        /// The entry as EspoCRM takes it in `phoneNumberData`.
        public var json: JSON {
            ["phoneNumber": .string(phoneNumber), "type": .string(type), "primary": .bool(primary),
             "optOut": .bool(optOut), "invalid": .bool(invalid)]
        }
    }
}

private func flag(_ object: JSONObject, _ key: String, _ path: String) throws(Espo.FieldError) -> Bool {
    switch object[key] {
    case nil, .null?: return false
    case .bool(let value)?: return value
    case let other: throw Espo.FieldError(field: path + "." + key, expected: "a boolean", got: other)
    }
}
