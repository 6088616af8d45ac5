/// E.164 normalisation of phone numbers as people type them into a CRM.
public enum PhoneNumber {
    /// The E.164 form ("+14155550100") of `input`, reading national numbers as numbers of `defaultRegion` (ISO 3166-1 alpha-2, case-insensitive); nil when `input` is not a phone number.
    ///
    /// The rules, in order:
    /// 1. Surrounding whitespace is trimmed; an empty input is not a number.
    /// 2. An extension suffix is dropped: "ext", "ext.", "extension", "x" or "#" (any case), spaces or not on either
    ///    side, then digits to the end ("+1 415 555 0100 ext. 12", "…0100x12", "…0100 #12").
    /// 3. What is left may hold only digits, whitespace, "-" (and the other Unicode dashes), ".", "(", ")", "/" and
    ///    one "+" as its first character. Anything else (letters, as in "1-800-FLOWERS", a "+" further in, two "+")
    ///    means it is not a number. Decimal digits of other scripts count as digits.
    /// 4. "+" makes it international: the digits after it are calling code and national number. A "(0)" group right
    ///    after the calling code ("+49 (0)30 …", "+44 (0)20 …") is the optional trunk zero and is dropped, except
    ///    for codes whose national numbers may begin with 0 (Italy "+39 (0)6 …" keeps it). A trunk prefix typed
    ///    right after the calling code is dropped too where it cannot be part of the number: a 0-led trunk prefix
    ///    not followed by another 0 ("+44 020 …", "+36 06 …"), or, for codes with fixed-length national numbers,
    ///    a trunk prefix making the national part exactly one prefix too long ("+1 1 415 …", "+7 8 495 …").
    /// 5. Digits starting "00" are international with "00" dropped; starting "011" they are international with
    ///    "011" dropped when the default region is a NANP region (calling code 1). Then as in rule 4.
    /// 6. Otherwise the digits are a national number of the default region: its trunk prefix is dropped (the
    ///    first of its prefixes the digits start with: "0" in most of the world, none in Italy, "06" in Hungary,
    ///    "8" in Russia and Kazakhstan, "80", "8" or "0" in Belarus) and its calling code put in front. Where
    ///    the region's national numbers have one fixed length (NANP 10, RU/KZ 10, MX 10, LT 8, TM 8, MH 7), the
    ///    digits must be exactly that long, or that long after one trunk prefix or after the calling code
    ///    typed without "+" ("1 415 555 0100", "8 495 123-45-67", "7 495 123-45-67").
    /// 7. The result's digits are 8 to 15 long (E.164 allows 15) and do not begin with 0. Where the calling code's
    ///    national numbers have a fixed length the national part is exactly that long: 10 digits for calling
    ///    code 1, whose area code also cannot begin with 0 or 1. Where the code's trunk prefix begins with 0 the
    ///    national part cannot begin with 0. Calling codes not in the table (non-geographic ones such as 800 or
    ///    882) are kept as typed and checked only for length.
    /// 8. With an unknown default region only international input (rules 4 and 5) can succeed.
    ///
    /// The result is idempotent: `e164(e164(x)!, defaultRegion: r) == e164(x, defaultRegion: r)` for any region.
    public static func e164(_ input: String, defaultRegion: String) -> String? {
        guard let typed = TypedNumber(input) else { return nil }
        let home = plans[regionKey(defaultRegion)]
        let digits = typed.digits

        // Rules 4 and 5: international input, and how many characters of dialling prefix come before the code.
        let prefixLength: Int?
        if typed.hasPlus {
            prefixLength = 0
        } else if digits.starts(with: "00") {
            prefixLength = 2
        } else if home?.callingCode == "1", digits.starts(with: "011") {
            prefixLength = 3
        } else {
            prefixLength = nil
        }
        if let prefixLength {
            return international(
                digits.dropFirst(prefixLength),
                zeroGroups: typed.zeroGroups.map { $0 - prefixLength }
            )
        }

        // Rules 6 and 8: national input of the default region.
        guard let home else { return nil }
        return national(digits[...], plan: home)
    }

    /// The country calling code ("1", "44", "49") of an ISO 3166-1 alpha-2 region, nil when unknown.
    public static func callingCode(ofRegion region: String) -> String? {
        plans[regionKey(region)]?.callingCode
    }

    // MARK: - Reading the number

    /// The table key for a region code as a user or a setting spells it (" gb" → "GB").
    private static func regionKey(_ region: String) -> String {
        String(region.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed()).uppercased()
    }

    /// `input` reduced to its digits, by rules 1 to 3.
    private struct TypedNumber {
        /// Whether the number began with "+".
        var hasPlus = false
        /// The ASCII digits, in order, without the "+".
        var digits: [Character] = []
        /// Offsets in `digits` of the "0" of each "(0)" group.
        var zeroGroups: [Int] = []

        init?(_ input: String) {
            var characters = Array(input.drop { $0.isWhitespace })
            while characters.last?.isWhitespace == true { characters.removeLast() }
            characters = Self.removingExtension(characters)
            guard !characters.isEmpty else { return nil }

            var index = 0
            if characters[0] == "+" {
                hasPlus = true
                index = 1
            }
            while index < characters.count {
                let character = characters[index]
                if let digit = Self.asciiDigit(character) {
                    digits.append(digit)
                } else if character == "(", let close = Self.closeOfZeroGroup(characters, openingAt: index) {
                    zeroGroups.append(digits.count)
                    digits.append("0")
                    index = close
                } else if !Self.isSeparator(character) {
                    return nil
                }
                index += 1
            }
            guard !digits.isEmpty else { return nil }
        }

        /// The markers that introduce an extension, longest first so "extension" is not read as "…n" + "x".
        private static let extensionMarkers = ["extension", "ext.", "ext", "x", "#"]

        /// `characters` without a trailing extension (rule 2), and without the whitespace before it.
        private static func removingExtension(_ characters: [Character]) -> [Character] {
            var digitsStart = characters.endIndex
            while digitsStart > 0, asciiDigit(characters[digitsStart - 1]) != nil { digitsStart -= 1 }
            guard digitsStart < characters.endIndex else { return characters }
            var markerEnd = digitsStart
            while markerEnd > 0, characters[markerEnd - 1].isWhitespace { markerEnd -= 1 }
            for marker in extensionMarkers where markerEnd >= marker.count {
                let markerStart = markerEnd - marker.count
                guard String(characters[markerStart..<markerEnd]).lowercased() == marker else { continue }
                var end = markerStart
                while end > 0, characters[end - 1].isWhitespace { end -= 1 }
                return Array(characters[..<end])
            }
            return characters
        }

        /// The index of the ")" closing a "(0)" group (spaces allowed inside) whose "(" is at `open`, if it is one.
        private static func closeOfZeroGroup(_ characters: [Character], openingAt open: Int) -> Int? {
            var index = open + 1
            while index < characters.count, characters[index].isWhitespace { index += 1 }
            guard index < characters.count, asciiDigit(characters[index]) == "0" else { return nil }
            index += 1
            while index < characters.count, characters[index].isWhitespace { index += 1 }
            guard index < characters.count, characters[index] == ")" else { return nil }
            return index
        }

        /// The ASCII digit for a decimal digit of any script ("7", "٧", "７" → "7"), nil for anything else.
        private static func asciiDigit(_ character: Character) -> Character? {
            guard character.unicodeScalars.count == 1, let scalar = character.unicodeScalars.first else { return nil }
            if ("0"..."9").contains(scalar) { return character }
            guard scalar.properties.numericType == .decimal, let value = scalar.properties.numericValue else {
                return nil
            }
            return Character(String(Int(value)))
        }

        /// Characters people put between digits: whitespace, dashes, ".", "(", ")", "/".
        private static func isSeparator(_ character: Character) -> Bool {
            if character.isWhitespace { return true }
            switch character {
            case "-", ".", "(", ")", "/",
                "\u{2010}", "\u{2011}", "\u{2012}", "\u{2013}", "\u{2014}", "\u{2015}", "\u{2212}":
                return true
            default:
                return false
            }
        }
    }

    // MARK: - Building the E.164 form

    /// Rule 4 for the digits after "+", "00" or "011"; `zeroGroups` are offsets of "(0)" groups in them.
    private static func international(_ number: ArraySlice<Character>, zeroGroups: [Int]) -> String? {
        guard let first = number.first, first != "0" else { return nil }
        guard let code = callingCodePrefix(of: number), let plan = plansByCallingCode[code] else {
            return assembled(callingCode: "", national: number, plan: nil)
        }
        var national = number.dropFirst(code.count)
        if zeroGroups.contains(code.count), !plan.significantZero {
            national = national.dropFirst()
        }
        national = droppingTrunkAfterCallingCode(national, plan: plan)
        return assembled(callingCode: code, national: national, plan: plan)
    }

    /// Rule 6: `digits` as a national number of the region whose plan is `plan`.
    private static func national(_ digits: ArraySlice<Character>, plan: NumberingPlan) -> String? {
        let code = Array(plan.callingCode)
        var national = digits
        if let length = plan.nationalLength {
            if digits.count == length {
                national = digits
            } else if let trunk = plan.trunkPrefixes.first(where: {
                digits.count == $0.count + length && digits.starts(with: $0)
            }) {
                national = digits.dropFirst(trunk.count)
            } else if digits.count == code.count + length, digits.starts(with: code) {
                national = digits.dropFirst(code.count)
            } else {
                return nil
            }
        } else if let trunk = plan.trunkPrefixes.first(where: { digits.starts(with: $0) }) {
            national = digits.dropFirst(trunk.count)
        }
        return assembled(callingCode: plan.callingCode, national: national, plan: plan)
    }

    /// The calling code `number` begins with, when it is one of the table's (calling codes are prefix-free).
    private static func callingCodePrefix(of number: ArraySlice<Character>) -> String? {
        for length in 1...3 where number.count >= length {
            let candidate = String(number.prefix(length))
            if plansByCallingCode[candidate] != nil { return candidate }
        }
        return nil
    }

    /// `national` without a trunk prefix typed after the calling code, where that prefix cannot be part of it (rule 4).
    private static func droppingTrunkAfterCallingCode(
        _ national: ArraySlice<Character>, plan: NumberingPlan
    ) -> ArraySlice<Character> {
        if let length = plan.nationalLength {
            guard national.count != length else { return national }
            let trunk = plan.trunkPrefixes.first { national.count == $0.count + length && national.starts(with: $0) }
            return trunk.map { national.dropFirst($0.count) } ?? national
        }
        guard plan.forbidsLeadingZero else { return national }
        for trunk in plan.trunkPrefixes where trunk.hasPrefix("0") && national.starts(with: trunk) {
            let rest = national.dropFirst(trunk.count)
            if rest.first != "0" { return rest }
        }
        return national
    }

    /// "+" + calling code + national number, when that passes rule 7.
    private static func assembled(
        callingCode: String, national: ArraySlice<Character>, plan: NumberingPlan?
    ) -> String? {
        let digits = callingCode + String(national)
        guard (8...15).contains(digits.count), digits.first != "0" else { return nil }
        if let plan {
            if let length = plan.nationalLength, national.count != length { return nil }
            if plan.forbidsLeadingZero, national.first == "0" { return nil }
            if plan.callingCode == "1", let areaStart = national.first, areaStart == "0" || areaStart == "1" {
                return nil
            }
        }
        return "+" + digits
    }
}
