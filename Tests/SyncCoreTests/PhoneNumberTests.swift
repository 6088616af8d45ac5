import Testing

@testable import SyncCore

/// One input, the default region it is read with, and the E.164 form expected (nil: not a phone number).
struct PhoneNumberExample: Sendable, CustomTestStringConvertible {
    let input: String
    let region: String
    let expected: String?

    init(_ input: String, _ region: String, _ expected: String?) {
        self.input = input
        self.region = region
        self.expected = expected
    }

    var testDescription: String { "\"\(input)\" in \(region) → \(expected ?? "nil")" }
}

/// The ways CRM users type numbers, from the brief.
private let briefExamples: [PhoneNumberExample] = [
    .init("(415) 555-0100", "US", "+14155550100"),
    .init("415.555.0100", "US", "+14155550100"),
    .init("+1 415 555 0100", "US", "+14155550100"),
    .init("+1 415 555 0100", "DE", "+14155550100"),
    .init("0044 20 7946 0958", "US", "+442079460958"),
    .init("0044 20 7946 0958", "DE", "+442079460958"),
    .init("020 7946 0958", "GB", "+442079460958"),
    .init("+49 (0)30 1234567", "US", "+49301234567"),
    .init("+44 (0)20 7946 0958", "US", "+442079460958"),
    .init("1-800-FLOWERS", "US", nil),
    .init("+1 415 555 0100 ext. 12", "US", "+14155550100"),
]

/// North American Numbering Plan: 10 digits, or 11 starting with 1, in every NANP region.
private let nanpExamples: [PhoneNumberExample] = [
    .init("4155550100", "US", "+14155550100"),
    .init("14155550100", "US", "+14155550100"),
    .init("1 (415) 555-0100", "US", "+14155550100"),
    .init("1.415.555.0100", "US", "+14155550100"),
    .init("+1-415-555-0100", "US", "+14155550100"),
    .init("+1 (415) 555-0100", "US", "+14155550100"),
    .init("+14155550100", "US", "+14155550100"),
    .init("+1 1 415 555 0100", "US", "+14155550100"),
    .init("1-800-356-9377", "US", "+18003569377"),
    .init("604 555 0199", "CA", "+16045550199"),
    .init("1 604 555 0199", "CA", "+16045550199"),
    .init("787-555-0100", "PR", "+17875550100"),
    .init("(876) 555-0100", "JM", "+18765550100"),
    .init("242 555 0100", "BS", "+12425550100"),
    .init("555-0100", "US", nil),
    .init("415 555 010", "US", nil),
    .init("415 555 01000", "US", nil),
    .init("2 415 555 0100", "US", nil),
    .init("+1 415 555 010", "US", nil),
    .init("+1 415 555 01000", "US", nil),
    .init("(123) 456-7890", "US", nil),
    .init("+1 023 456 7890", "US", nil),
]

/// National and international forms in other countries.
private let countryExamples: [PhoneNumberExample] = [
    // United Kingdom
    .init("020 7946 0958", "GB", "+442079460958"),
    .init("(020) 7946-0958", "GB", "+442079460958"),
    .init("07700 900123", "GB", "+447700900123"),
    .init("+44 (0)20 7946 0958", "GB", "+442079460958"),
    .init("+44 020 7946 0958", "GB", "+442079460958"),
    .init("+44 20 7946 0958", "GB", "+442079460958"),
    .init("0044 (0)20 7946 0958", "GB", "+442079460958"),
    .init("01481 123456", "GG", "+441481123456"),
    // Germany
    .init("030 1234567", "DE", "+49301234567"),
    .init("030/1234567", "DE", "+49301234567"),
    .init("(0)30 1234567", "DE", "+49301234567"),
    .init("30 1234567", "DE", "+49301234567"),
    .init("0171 1234567", "DE", "+491711234567"),
    .init("+49 30 1234567", "DE", "+49301234567"),
    .init("+49(0)30-1234567", "FR", "+49301234567"),
    .init("+49 ( 0 ) 30 1234567", "FR", "+49301234567"),
    .init("0049 30 1234567", "GB", "+49301234567"),
    // France
    .init("01 23 45 67 89", "FR", "+33123456789"),
    .init("06.12.34.56.78", "FR", "+33612345678"),
    .init("+33 (0)6 12 34 56 78", "DE", "+33612345678"),
    .init("+33 6 12 34 56 78", "DE", "+33612345678"),
    // Italy: the leading 0 of a fixed line is part of the number
    .init("06 1234 5678", "IT", "+390612345678"),
    .init("02-1234-5678", "IT", "+390212345678"),
    .init("333 123 4567", "IT", "+393331234567"),
    .init("+39 06 1234 5678", "US", "+390612345678"),
    .init("+39 (0)6 1234 5678", "US", "+390612345678"),
    .init("0039 06 1234 5678", "DE", "+390612345678"),
    .init("06 698 12345", "VA", "+390669812345"),
    // Spain (no trunk prefix)
    .init("912 34 56 78", "ES", "+34912345678"),
    .init("+34 912 34 56 78", "ES", "+34912345678"),
    // Australia
    .init("(02) 9876 5432", "AU", "+61298765432"),
    .init("0412 345 678", "AU", "+61412345678"),
    .init("+61 (0)412 345 678", "GB", "+61412345678"),
    .init("+61 412 345 678", "AU", "+61412345678"),
    // India
    .init("098765 43210", "IN", "+919876543210"),
    .init("98765 43210", "IN", "+919876543210"),
    .init("+91-98765-43210", "IN", "+919876543210"),
    .init("011 2345 6789", "IN", "+911123456789"),
    // Brazil ("011" is a national São Paulo number outside NANP)
    .init("(11) 98765-4321", "BR", "+5511987654321"),
    .init("011 98765-4321", "BR", "+5511987654321"),
    .init("+55 11 98765 4321", "BR", "+5511987654321"),
    .init("(21) 2345-6789", "BR", "+552123456789"),
    // Japan
    .init("03-1234-5678", "JP", "+81312345678"),
    .init("090-1234-5678", "JP", "+819012345678"),
    .init("+81 3-1234-5678", "JP", "+81312345678"),
    // Mexico: 10 digits; the abolished "01", "044", "045" and mobile "1" are dropped
    .init("55 1234 5678", "MX", "+525512345678"),
    .init("(55) 1234-5678", "MX", "+525512345678"),
    .init("044 55 1234 5678", "MX", "+525512345678"),
    .init("01 55 1234 5678", "MX", "+525512345678"),
    .init("+52 55 1234 5678", "MX", "+525512345678"),
    .init("+52 1 55 1234 5678", "MX", "+525512345678"),
    .init("55 1234 567", "MX", nil),
    // Russia and Kazakhstan: trunk prefix 8, 10-digit national numbers
    .init("8 (495) 123-45-67", "RU", "+74951234567"),
    .init("(495) 123-45-67", "RU", "+74951234567"),
    .init("7 495 123 45 67", "RU", "+74951234567"),
    .init("+7 495 123-45-67", "RU", "+74951234567"),
    .init("+7 8 495 123-45-67", "RU", "+74951234567"),
    .init("8 800 123-45-67", "RU", "+78001234567"),
    .init("800 123-45-67", "RU", "+78001234567"),
    .init("8 701 123 4567", "KZ", "+77011234567"),
    .init("8 812 123-45-67", "RU", "+78121234567"),
    .init("812 123-45-67", "RU", "+78121234567"),
    .init("8 495 123-45", "RU", nil),
    .init("8 495 123-45-678", "RU", nil),
    // Belarus, Lithuania, Hungary
    .init("8 029 123-45-67", "BY", "+375291234567"),
    .init("8029 1234567", "BY", "+375291234567"),
    .init("029 123 45 67", "BY", "+375291234567"),
    .init("+375 29 123-45-67", "BY", "+375291234567"),
    .init("8 612 34567", "LT", "+37061234567"),
    .init("0 612 34567", "LT", "+37061234567"),
    .init("612 34567", "LT", "+37061234567"),
    .init("06 1 234 5678", "HU", "+3612345678"),
    .init("06 30 123 4567", "HU", "+36301234567"),
    .init("+36 06 30 123 4567", "HU", "+36301234567"),
    // Shared calling codes read with the other region
    .init("020 7946 0958", "JE", "+442079460958"),
    .init("0612 345 678", "MA", "+212612345678"),
    .init("0612 345 678", "EH", "+212612345678"),
    .init("040 123 4567", "AX", "+358401234567"),
    // Characters people paste: dashes, no-break spaces, digits of other scripts
    .init("415\u{2013}555\u{2013}0100", "US", "+14155550100"),
    .init("415\u{00A0}555\u{00A0}0100", "US", "+14155550100"),
    .init("  \t(415) 555-0100 \n", "US", "+14155550100"),
    .init("\u{FF14}\u{FF11}\u{FF15} \u{FF15}\u{FF15}\u{FF15} \u{FF10}\u{FF11}\u{FF10}\u{FF10}", "US", "+14155550100"),
    .init(
        "+\u{0664}\u{0664} \u{0662}\u{0660} \u{0667}\u{0669}\u{0664}\u{0666} \u{0660}\u{0669}\u{0665}\u{0668}", "US",
        "+442079460958"
    ),
]

/// "00" everywhere, "011" from NANP regions only.
private let internationalPrefixExamples: [PhoneNumberExample] = [
    .init("00 49 30 1234567", "GB", "+49301234567"),
    .init("0033 1 23 45 67 89", "US", "+33123456789"),
    .init("00 1 415 555 0100", "FR", "+14155550100"),
    .init("011 44 20 7946 0958", "US", "+442079460958"),
    .init("011-49-30-1234567", "CA", "+49301234567"),
    .init("011 44 (0)20 7946 0958", "PR", "+442079460958"),
    .init("011 44 20 7946 0958", "GB", nil),
    .init("011 44 20 7946 0958", "ZZ", nil),
    .init("00 0 123 456 789", "US", nil),
]

/// Extensions are dropped, whatever their spelling.
private let extensionExamples: [PhoneNumberExample] = [
    .init("+1 415 555 0100 ext. 12", "US", "+14155550100"),
    .init("+1 415 555 0100 ext 12", "US", "+14155550100"),
    .init("+1 415 555 0100 ext.12", "US", "+14155550100"),
    .init("+1 415 555 0100ext12", "US", "+14155550100"),
    .init("+1 415 555 0100 EXT. 12", "US", "+14155550100"),
    .init("+1 415 555 0100 extension 12", "US", "+14155550100"),
    .init("+1 415 555 0100 Extension12", "US", "+14155550100"),
    .init("+1 415 555 0100 x12", "US", "+14155550100"),
    .init("+1 415 555 0100 x 12", "US", "+14155550100"),
    .init("+1 415 555 0100X12", "US", "+14155550100"),
    .init("+1 415 555 0100 #12", "US", "+14155550100"),
    .init("+1 415 555 0100#12", "US", "+14155550100"),
    .init("(415) 555-0100 ext 1234", "US", "+14155550100"),
    .init("020 7946 0958 x 44", "GB", "+442079460958"),
    .init("+44 (0)20 7946 0958 ext. 5", "US", "+442079460958"),
    .init("+1 415 555 0100 ext.", "US", nil),
    .init("+1 415 555 0100 x", "US", nil),
    .init("+1 415 555 0100 ext 12a", "US", nil),
    .init("ext 12", "US", nil),
    .init("x12", "US", nil),
    .init("box 12", "US", nil),
]

/// Not phone numbers.
private let invalidExamples: [PhoneNumberExample] = [
    .init("", "US", nil),
    .init("   ", "US", nil),
    .init("-", "US", nil),
    .init("()", "US", nil),
    .init("+", "US", nil),
    .init("+ - ( ) . /", "US", nil),
    .init("1-800-FLOWERS", "US", nil),
    .init("call me", "US", nil),
    .init("n/a", "GB", nil),
    .init("415 555 0100 or 0101", "US", nil),
    .init("415_555_0100", "US", nil),
    .init("415,555,0100", "US", nil),
    .init("+1 415 555 0100 +1", "US", nil),
    .init("++1 415 555 0100", "US", nil),
    .init("1+415 555 0100", "US", nil),
    .init("(+44) 20 7946 0958", "GB", nil),
    .init("+0 123 456 789", "US", nil),
    .init("+044 20 7946 0958", "US", nil),
    .init("+44 123", "US", nil),
    .init("+1234567", "US", nil),
    .init("123", "DE", nil),
    .init("0", "GB", nil),
    .init("+1234567890123456", "US", nil),
    .init("+49 30 1234567890123", "US", nil),
    .init("0049 30 1234567890123", "US", nil),
    .init("030 1234567890123", "DE", nil),
    .init("+44 00 7946 0958", "GB", nil),
    .init("0606 30 123 4567", "HU", nil),
]

/// Unknown default regions take international input only.
private let unknownRegionExamples: [PhoneNumberExample] = [
    .init("+44 20 7946 0958", "ZZ", "+442079460958"),
    .init("0044 20 7946 0958", "ZZ", "+442079460958"),
    .init("+1 415 555 0100", "", "+14155550100"),
    .init("+49 (0)30 1234567", "USA", "+49301234567"),
    .init("020 7946 0958", "ZZ", nil),
    .init("(415) 555-0100", "", nil),
    .init("415 555 0100", "USA", nil),
    .init("415 555 0100", "1", nil),
    // Calling codes outside the table (non-geographic) are kept as typed.
    .init("+800 1234 5678", "ZZ", "+80012345678"),
    .init("+882 1234 5678 90", "US", "+8821234567890"),
]

/// Region codes in any case and with stray spaces.
private let regionSpellingExamples: [PhoneNumberExample] = [
    .init("020 7946 0958", "gb", "+442079460958"),
    .init("020 7946 0958", "Gb", "+442079460958"),
    .init("(415) 555-0100", "us", "+14155550100"),
    .init("(415) 555-0100", " US ", "+14155550100"),
    .init("011 44 20 7946 0958", "ca", "+442079460958"),
    .init("06 1234 5678", "it", "+390612345678"),
]

private let allExamples =
    briefExamples + nanpExamples + countryExamples + internationalPrefixExamples + extensionExamples
    + invalidExamples + unknownRegionExamples + regionSpellingExamples

@Suite("PhoneNumber.e164")
struct PhoneNumberE164Tests {
    @Test("examples from the brief", arguments: briefExamples)
    func brief(_ example: PhoneNumberExample) {
        #expect(PhoneNumber.e164(example.input, defaultRegion: example.region) == example.expected)
    }

    @Test("NANP with and without the leading 1", arguments: nanpExamples)
    func nanp(_ example: PhoneNumberExample) {
        #expect(PhoneNumber.e164(example.input, defaultRegion: example.region) == example.expected)
    }

    @Test("national and international numbers of other countries", arguments: countryExamples)
    func countries(_ example: PhoneNumberExample) {
        #expect(PhoneNumber.e164(example.input, defaultRegion: example.region) == example.expected)
    }

    @Test("00 and 011 international prefixes", arguments: internationalPrefixExamples)
    func internationalPrefixes(_ example: PhoneNumberExample) {
        #expect(PhoneNumber.e164(example.input, defaultRegion: example.region) == example.expected)
    }

    @Test("extensions are dropped", arguments: extensionExamples)
    func extensions(_ example: PhoneNumberExample) {
        #expect(PhoneNumber.e164(example.input, defaultRegion: example.region) == example.expected)
    }

    @Test("inputs that are not phone numbers", arguments: invalidExamples)
    func invalid(_ example: PhoneNumberExample) {
        #expect(PhoneNumber.e164(example.input, defaultRegion: example.region) == example.expected)
    }

    @Test("unknown default region", arguments: unknownRegionExamples)
    func unknownRegion(_ example: PhoneNumberExample) {
        #expect(PhoneNumber.e164(example.input, defaultRegion: example.region) == example.expected)
    }

    @Test("region codes are case-insensitive", arguments: regionSpellingExamples)
    func regionSpelling(_ example: PhoneNumberExample) {
        #expect(PhoneNumber.e164(example.input, defaultRegion: example.region) == example.expected)
    }

    @Test(
        "E.164 output comes back unchanged, whatever the default region",
        arguments: Set(allExamples.compactMap(\.expected)).sorted()
    )
    func idempotent(_ e164: String) {
        for region in ["US", "GB", "DE", "IT", "RU", "MX", "HU", "BY", "ZZ", ""] {
            #expect(PhoneNumber.e164(e164, defaultRegion: region) == e164, "read in \(region)")
        }
    }

    @Test("e164(e164(x)) == e164(x) on every example", arguments: allExamples)
    func idempotentOnExamples(_ example: PhoneNumberExample) {
        guard let once = PhoneNumber.e164(example.input, defaultRegion: example.region) else { return }
        #expect(PhoneNumber.e164(once, defaultRegion: example.region) == once)
    }

    @Test("on generated messy input every result is E.164 and idempotent")
    func generatedInput() {
        var generator = SeededGenerator(seed: 0x5EED)
        let pieces = Array("0123456789".map(String.init).repeated(6)) + [
            " ", "-", ".", "(", ")", "/", "+", "x", "#", "(0)", "00", "011", " ext. ", "8", "1", "06",
        ]
        let regions = ["US", "GB", "DE", "IT", "RU", "MX", "BY", "LT", "HU", "MH", "FR", "BR", "IN", "SM", "ZZ", ""]
        var accepted = 0
        for _ in 0..<20_000 {
            let length = Int(generator.next() % 22) + 1
            let input = (0..<length).map { _ in pieces[Int(generator.next() % UInt64(pieces.count))] }.joined()
            let region = regions[Int(generator.next() % UInt64(regions.count))]
            guard let once = PhoneNumber.e164(input, defaultRegion: region) else { continue }
            accepted += 1
            let digits = once.dropFirst()
            #expect(once.first == "+" && (8...15).contains(digits.count), "\(input) in \(region) → \(once)")
            #expect(digits.first != "0" && digits.allSatisfy { $0.isASCII && $0.isNumber }, "\(input) → \(once)")
            #expect(PhoneNumber.e164(once, defaultRegion: region) == once, "\(input) in \(region) → \(once)")
            let other = regions[Int(generator.next() % UInt64(regions.count))]
            #expect(PhoneNumber.e164(once, defaultRegion: other) == once, "\(once) read in \(other)")
        }
        #expect(accepted > 1_000)
    }

    @Test("every region's numbers round-trip, national and international", arguments: PhoneNumber.plans.keys.sorted())
    func everyRegion(_ region: String) throws {
        let plan = try #require(PhoneNumber.plans[region])
        let national = String("234567890123".prefix(plan.nationalLength ?? 9))
        let expected = "+" + plan.callingCode + national
        #expect(PhoneNumber.e164(expected, defaultRegion: region) == expected)
        #expect(PhoneNumber.e164(expected, defaultRegion: "ZZ") == expected)
        #expect(PhoneNumber.e164("00 " + plan.callingCode + " " + national, defaultRegion: region) == expected)
        #expect(PhoneNumber.e164(national, defaultRegion: region) == expected)
        #expect(PhoneNumber.e164(national, defaultRegion: region.lowercased()) == expected)
        for trunk in plan.trunkPrefixes {
            #expect(PhoneNumber.e164(trunk + " " + national, defaultRegion: region) == expected, "trunk \(trunk)")
        }
    }
}

@Suite("PhoneNumber.callingCode")
struct PhoneNumberCallingCodeTests {
    @Test(
        "calling codes, shared ones included",
        arguments: [
            ("US", "1"), ("CA", "1"), ("PR", "1"), ("JM", "1"), ("BS", "1"), ("VI", "1"), ("GU", "1"),
            ("GB", "44"), ("GG", "44"), ("JE", "44"), ("IM", "44"),
            ("DE", "49"), ("FR", "33"), ("IT", "39"), ("VA", "39"), ("SM", "378"),
            ("RU", "7"), ("KZ", "7"), ("NO", "47"), ("SJ", "47"),
            ("AU", "61"), ("CX", "61"), ("CC", "61"), ("NZ", "64"),
            ("RE", "262"), ("YT", "262"), ("GP", "590"), ("BL", "590"), ("MF", "590"),
            ("CW", "599"), ("BQ", "599"), ("MA", "212"), ("EH", "212"), ("FI", "358"), ("AX", "358"),
            ("IN", "91"), ("BR", "55"), ("JP", "81"), ("MX", "52"), ("CN", "86"), ("ZA", "27"),
            ("SH", "290"), ("TA", "290"), ("FK", "500"), ("NF", "672"), ("AQ", "672"), ("XK", "383"),
            ("gb", "44"), ("Us", "1"), (" de ", "49"),
        ] as [(String, String)]
    )
    func known(_ region: String, _ code: String) {
        #expect(PhoneNumber.callingCode(ofRegion: region) == code)
    }

    @Test("unknown regions", arguments: ["", "ZZ", "GBR", "U", "UK", "1", "EU", "BV", "HM"])
    func unknown(_ region: String) {
        #expect(PhoneNumber.callingCode(ofRegion: region) == nil)
    }
}

@Suite("CallingCodes table")
struct CallingCodesTableTests {
    static let isoRegionsWithCallingCodes = [
        "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
        "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
        "BT", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN", "CO",
        "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE", "EG",
        "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF", "GG",
        "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GT", "GU", "GW", "GY", "HK", "HN", "HR", "HT",
        "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM", "JO", "JP", "KE",
        "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC", "LI", "LK", "LR",
        "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK", "ML", "MM", "MN",
        "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA", "NC", "NE", "NF",
        "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL",
        "PM", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW", "SA", "SB", "SC", "SD",
        "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS", "ST", "SV", "SX", "SY",
        "SZ", "TC", "TD", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO", "TR", "TT", "TV", "TW", "TZ",
        "UA", "UG", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI", "VN", "VU", "WF", "WS", "YE", "YT",
        "ZA", "ZM", "ZW",
    ]

    @Test("every region key is two uppercase letters", arguments: PhoneNumber.plans.keys.sorted())
    func regionKey(_ region: String) {
        #expect(region.count == 2)
        #expect(region.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) })
    }

    @Test("every calling code is 1 to 3 digits, trunk prefixes digits", arguments: PhoneNumber.plans.keys.sorted())
    func callingCode(_ region: String) throws {
        let plan = try #require(PhoneNumber.plans[region])
        #expect((1...3).contains(plan.callingCode.count))
        #expect(plan.callingCode.unicodeScalars.allSatisfy { ("0"..."9").contains($0) })
        #expect(plan.callingCode.first != "0")
        for trunk in plan.trunkPrefixes {
            #expect(!trunk.isEmpty && trunk.unicodeScalars.allSatisfy { ("0"..."9").contains($0) })
        }
        #expect(!(plan.significantZero && plan.forbidsLeadingZero))
    }

    @Test("every assigned ISO 3166-1 region with a calling code is in the table", arguments: isoRegionsWithCallingCodes)
    func covers(_ region: String) {
        #expect(PhoneNumber.plans[region] != nil)
    }

    @Test("the table has one entry per ISO region plus AC, TA and XK")
    func size() {
        #expect(Set(PhoneNumber.plans.keys) == Set(Self.isoRegionsWithCallingCodes + ["AC", "TA", "XK"]))
    }

    @Test("no calling code is a prefix of another")
    func prefixFree() {
        let codes = Set(PhoneNumber.plans.values.map(\.callingCode))
        for code in codes {
            for other in codes where other != code {
                #expect(!other.hasPrefix(code), "\(code) is a prefix of \(other)")
            }
        }
    }

    @Test("regions that share a calling code share a numbering plan")
    func sharedCodes() throws {
        for (region, plan) in PhoneNumber.plans {
            let shared = try #require(PhoneNumber.plansByCallingCode[plan.callingCode])
            #expect(shared == plan, "\(region)")
        }
    }

    @Test(
        "NANP members share calling code 1",
        arguments: [
            "AG", "AI", "AS", "BB", "BM", "BS", "CA", "DM", "DO", "GD", "GU", "JM", "KN", "KY", "LC", "MP", "MS", "PR",
            "SX", "TC", "TT", "US", "VC", "VG", "VI",
        ]
    )
    func nanp(_ region: String) {
        #expect(PhoneNumber.callingCode(ofRegion: region) == "1")
    }

    @Test("only the NANP members have calling code 1")
    func nanpOnly() {
        #expect(PhoneNumber.plans.filter { $0.value.callingCode == "1" }.count == 25)
    }
}


private extension Array {
    /// The array's elements, `count` times over.
    func repeated(_ count: Int) -> [Element] {
        (0..<count).flatMap { _ in self }
    }
}
