// ISO 3166-1 alpha-2 region → ITU calling code and national trunk prefix, for `PhoneNumber`.

extension PhoneNumber {
    /// How one region's numbers are written: its calling code and what is dialled before a national number at home.
    struct NumberingPlan: Sendable, Equatable {
        /// The ITU-T E.164 country calling code, digits only ("44").
        let callingCode: String
        /// National (trunk) prefixes, tried in order; empty where numbers are dialled at home as they are abroad.
        let trunkPrefixes: [String]
        /// The length of every national significant number, where the region has one fixed length.
        let nationalLength: Int?
        /// Whether national significant numbers may begin with 0 (Italy), so a "(0)" after the calling code is a digit.
        let significantZero: Bool

        init(_ callingCode: String, trunk trunkPrefixes: String..., length: Int? = nil, significantZero: Bool = false) {
            self.callingCode = callingCode
            self.trunkPrefixes = trunkPrefixes
            self.nationalLength = length
            self.significantZero = significantZero
        }

        /// Whether this region's national significant numbers can never begin with 0 (a trunk prefix starts with 0).
        var forbidsLeadingZero: Bool {
            !significantZero && trunkPrefixes.contains { $0.hasPrefix("0") }
        }
    }

    /// Numbering plans by ISO 3166-1 alpha-2 region.
    ///
    /// Source: ITU-T E.164 "List of ITU-T Recommendation E.164 assigned country codes" (Annex to ITU Operational
    /// Bulletin); trunk prefixes from the regions' national numbering plans, cross-checked against the metadata of
    /// Google's libphonenumber (used only as a reference, not as a dependency).
    /// Every assigned ISO 3166-1 code with an ITU calling code is here; BV, GS, HM, PN, TF and UM have none of their
    /// own and are left out. AC, TA (ISO exceptionally reserved) and XK (user-assigned, ITU code 383) are added.
    /// Regions that share a code (1, 7, 39, 44, 47, 61, 212, 262, 290, 358, 590, 599, 672) carry identical plans.
    /// Notes on the exceptions: NANP regions (code 1) and MH dial a "1" before 10- (7-) digit national numbers;
    /// RU, KZ and TM dial "8"; BY dials "8" and writes area codes with a 0 ("8 029 …"); LT moved from "8" to "0"
    /// in 2025; HU dials "06"; MX abolished "01", "044", "045" and the mobile "1" in 2019 but people still type them.
    /// `significantZero` marks regions without a trunk prefix whose numbers may begin with 0 (IT, VA, SM; BF, BJ, CG,
    /// CI, GA, TJ).
    static let plans: [String: NumberingPlan] = [
        "AC": .init("247"), // Ascension Island
        "AD": .init("376"), // Andorra
        "AE": .init("971", trunk: "0"), // United Arab Emirates
        "AF": .init("93", trunk: "0"), // Afghanistan
        "AG": .init("1", trunk: "1", length: 10), // Antigua and Barbuda
        "AI": .init("1", trunk: "1", length: 10), // Anguilla
        "AL": .init("355", trunk: "0"), // Albania
        "AM": .init("374", trunk: "0"), // Armenia
        "AO": .init("244"), // Angola
        "AQ": .init("672"), // Antarctica (Australian bases, ITU 672 "Australian External Territories")
        "AR": .init("54", trunk: "0"), // Argentina
        "AS": .init("1", trunk: "1", length: 10), // American Samoa
        "AT": .init("43", trunk: "0"), // Austria
        "AU": .init("61", trunk: "0"), // Australia
        "AW": .init("297"), // Aruba
        "AX": .init("358", trunk: "0"), // Åland Islands
        "AZ": .init("994", trunk: "0"), // Azerbaijan
        "BA": .init("387", trunk: "0"), // Bosnia and Herzegovina
        "BB": .init("1", trunk: "1", length: 10), // Barbados
        "BD": .init("880", trunk: "0"), // Bangladesh
        "BE": .init("32", trunk: "0"), // Belgium
        "BF": .init("226", significantZero: true), // Burkina Faso
        "BG": .init("359", trunk: "0"), // Bulgaria
        "BH": .init("973"), // Bahrain
        "BI": .init("257"), // Burundi
        "BJ": .init("229", significantZero: true), // Benin
        "BL": .init("590", trunk: "0"), // Saint Barthélemy
        "BM": .init("1", trunk: "1", length: 10), // Bermuda
        "BN": .init("673"), // Brunei Darussalam
        "BO": .init("591", trunk: "0"), // Bolivia
        "BQ": .init("599"), // Bonaire, Sint Eustatius and Saba
        "BR": .init("55", trunk: "0"), // Brazil
        "BS": .init("1", trunk: "1", length: 10), // Bahamas
        "BT": .init("975"), // Bhutan
        "BW": .init("267"), // Botswana
        "BY": .init("375", trunk: "80", "8", "0"), // Belarus
        "BZ": .init("501"), // Belize
        "CA": .init("1", trunk: "1", length: 10), // Canada
        "CC": .init("61", trunk: "0"), // Cocos (Keeling) Islands
        "CD": .init("243", trunk: "0"), // Congo, The Democratic Republic of the
        "CF": .init("236"), // Central African Republic
        "CG": .init("242", significantZero: true), // Congo
        "CH": .init("41", trunk: "0"), // Switzerland
        "CI": .init("225", significantZero: true), // Côte d'Ivoire
        "CK": .init("682"), // Cook Islands
        "CL": .init("56"), // Chile
        "CM": .init("237"), // Cameroon
        "CN": .init("86", trunk: "0"), // China
        "CO": .init("57", trunk: "0"), // Colombia
        "CR": .init("506"), // Costa Rica
        "CU": .init("53", trunk: "0"), // Cuba
        "CV": .init("238"), // Cabo Verde
        "CW": .init("599"), // Curaçao
        "CX": .init("61", trunk: "0"), // Christmas Island
        "CY": .init("357"), // Cyprus
        "CZ": .init("420"), // Czechia
        "DE": .init("49", trunk: "0"), // Germany
        "DJ": .init("253"), // Djibouti
        "DK": .init("45"), // Denmark
        "DM": .init("1", trunk: "1", length: 10), // Dominica
        "DO": .init("1", trunk: "1", length: 10), // Dominican Republic
        "DZ": .init("213", trunk: "0"), // Algeria
        "EC": .init("593", trunk: "0"), // Ecuador
        "EE": .init("372"), // Estonia
        "EG": .init("20", trunk: "0"), // Egypt
        "EH": .init("212", trunk: "0"), // Western Sahara
        "ER": .init("291", trunk: "0"), // Eritrea
        "ES": .init("34"), // Spain
        "ET": .init("251", trunk: "0"), // Ethiopia
        "FI": .init("358", trunk: "0"), // Finland
        "FJ": .init("679"), // Fiji
        "FK": .init("500"), // Falkland Islands (Malvinas)
        "FM": .init("691"), // Micronesia, Federated States of
        "FO": .init("298"), // Faroe Islands
        "FR": .init("33", trunk: "0"), // France
        "GA": .init("241", significantZero: true), // Gabon
        "GB": .init("44", trunk: "0"), // United Kingdom
        "GD": .init("1", trunk: "1", length: 10), // Grenada
        "GE": .init("995", trunk: "0"), // Georgia
        "GF": .init("594", trunk: "0"), // French Guiana
        "GG": .init("44", trunk: "0"), // Guernsey
        "GH": .init("233", trunk: "0"), // Ghana
        "GI": .init("350"), // Gibraltar
        "GL": .init("299"), // Greenland
        "GM": .init("220"), // Gambia
        "GN": .init("224"), // Guinea
        "GP": .init("590", trunk: "0"), // Guadeloupe
        "GQ": .init("240"), // Equatorial Guinea
        "GR": .init("30"), // Greece
        "GT": .init("502"), // Guatemala
        "GU": .init("1", trunk: "1", length: 10), // Guam
        "GW": .init("245"), // Guinea-Bissau
        "GY": .init("592"), // Guyana
        "HK": .init("852"), // Hong Kong
        "HN": .init("504"), // Honduras
        "HR": .init("385", trunk: "0"), // Croatia
        "HT": .init("509"), // Haiti
        "HU": .init("36", trunk: "06"), // Hungary
        "ID": .init("62", trunk: "0"), // Indonesia
        "IE": .init("353", trunk: "0"), // Ireland
        "IL": .init("972", trunk: "0"), // Israel
        "IM": .init("44", trunk: "0"), // Isle of Man
        "IN": .init("91", trunk: "0"), // India
        "IO": .init("246"), // British Indian Ocean Territory
        "IQ": .init("964", trunk: "0"), // Iraq
        "IR": .init("98", trunk: "0"), // Iran
        "IS": .init("354"), // Iceland
        "IT": .init("39", significantZero: true), // Italy
        "JE": .init("44", trunk: "0"), // Jersey
        "JM": .init("1", trunk: "1", length: 10), // Jamaica
        "JO": .init("962", trunk: "0"), // Jordan
        "JP": .init("81", trunk: "0"), // Japan
        "KE": .init("254", trunk: "0"), // Kenya
        "KG": .init("996", trunk: "0"), // Kyrgyzstan
        "KH": .init("855", trunk: "0"), // Cambodia
        "KI": .init("686", trunk: "0"), // Kiribati
        "KM": .init("269"), // Comoros
        "KN": .init("1", trunk: "1", length: 10), // Saint Kitts and Nevis
        "KP": .init("850", trunk: "0"), // North Korea
        "KR": .init("82", trunk: "0"), // South Korea
        "KW": .init("965"), // Kuwait
        "KY": .init("1", trunk: "1", length: 10), // Cayman Islands
        "KZ": .init("7", trunk: "8", length: 10), // Kazakhstan
        "LA": .init("856", trunk: "0"), // Laos
        "LB": .init("961", trunk: "0"), // Lebanon
        "LC": .init("1", trunk: "1", length: 10), // Saint Lucia
        "LI": .init("423", trunk: "0"), // Liechtenstein
        "LK": .init("94", trunk: "0"), // Sri Lanka
        "LR": .init("231", trunk: "0"), // Liberia
        "LS": .init("266"), // Lesotho
        "LT": .init("370", trunk: "0", "8", length: 8), // Lithuania
        "LU": .init("352"), // Luxembourg
        "LV": .init("371"), // Latvia
        "LY": .init("218", trunk: "0"), // Libya
        "MA": .init("212", trunk: "0"), // Morocco
        "MC": .init("377", trunk: "0"), // Monaco
        "MD": .init("373", trunk: "0"), // Moldova
        "ME": .init("382", trunk: "0"), // Montenegro
        "MF": .init("590", trunk: "0"), // Saint Martin (French part)
        "MG": .init("261", trunk: "0"), // Madagascar
        "MH": .init("692", trunk: "1", length: 7), // Marshall Islands
        "MK": .init("389", trunk: "0"), // North Macedonia
        "ML": .init("223"), // Mali
        "MM": .init("95", trunk: "0"), // Myanmar
        "MN": .init("976", trunk: "0"), // Mongolia
        "MO": .init("853"), // Macao
        "MP": .init("1", trunk: "1", length: 10), // Northern Mariana Islands
        "MQ": .init("596", trunk: "0"), // Martinique
        "MR": .init("222"), // Mauritania
        "MS": .init("1", trunk: "1", length: 10), // Montserrat
        "MT": .init("356"), // Malta
        "MU": .init("230"), // Mauritius
        "MV": .init("960"), // Maldives
        "MW": .init("265", trunk: "0"), // Malawi
        "MX": .init("52", trunk: "01", "044", "045", "1", length: 10), // Mexico
        "MY": .init("60", trunk: "0"), // Malaysia
        "MZ": .init("258"), // Mozambique
        "NA": .init("264", trunk: "0"), // Namibia
        "NC": .init("687"), // New Caledonia
        "NE": .init("227"), // Niger
        "NF": .init("672"), // Norfolk Island
        "NG": .init("234", trunk: "0"), // Nigeria
        "NI": .init("505"), // Nicaragua
        "NL": .init("31", trunk: "0"), // Netherlands
        "NO": .init("47"), // Norway
        "NP": .init("977", trunk: "0"), // Nepal
        "NR": .init("674"), // Nauru
        "NU": .init("683"), // Niue
        "NZ": .init("64", trunk: "0"), // New Zealand
        "OM": .init("968"), // Oman
        "PA": .init("507"), // Panama
        "PE": .init("51", trunk: "0"), // Peru
        "PF": .init("689"), // French Polynesia
        "PG": .init("675"), // Papua New Guinea
        "PH": .init("63", trunk: "0"), // Philippines
        "PK": .init("92", trunk: "0"), // Pakistan
        "PL": .init("48"), // Poland
        "PM": .init("508", trunk: "0"), // Saint Pierre and Miquelon
        "PR": .init("1", trunk: "1", length: 10), // Puerto Rico
        "PS": .init("970", trunk: "0"), // Palestine, State of
        "PT": .init("351"), // Portugal
        "PW": .init("680"), // Palau
        "PY": .init("595", trunk: "0"), // Paraguay
        "QA": .init("974"), // Qatar
        "RE": .init("262", trunk: "0"), // Réunion
        "RO": .init("40", trunk: "0"), // Romania
        "RS": .init("381", trunk: "0"), // Serbia
        "RU": .init("7", trunk: "8", length: 10), // Russian Federation
        "RW": .init("250", trunk: "0"), // Rwanda
        "SA": .init("966", trunk: "0"), // Saudi Arabia
        "SB": .init("677"), // Solomon Islands
        "SC": .init("248"), // Seychelles
        "SD": .init("249", trunk: "0"), // Sudan
        "SE": .init("46", trunk: "0"), // Sweden
        "SG": .init("65"), // Singapore
        "SH": .init("290"), // Saint Helena, Ascension and Tristan da Cunha
        "SI": .init("386", trunk: "0"), // Slovenia
        "SJ": .init("47"), // Svalbard and Jan Mayen
        "SK": .init("421", trunk: "0"), // Slovakia
        "SL": .init("232", trunk: "0"), // Sierra Leone
        "SM": .init("378", significantZero: true), // San Marino
        "SN": .init("221"), // Senegal
        "SO": .init("252", trunk: "0"), // Somalia
        "SR": .init("597"), // Suriname
        "SS": .init("211", trunk: "0"), // South Sudan
        "ST": .init("239"), // Sao Tome and Principe
        "SV": .init("503"), // El Salvador
        "SX": .init("1", trunk: "1", length: 10), // Sint Maarten (Dutch part)
        "SY": .init("963", trunk: "0"), // Syria
        "SZ": .init("268"), // Eswatini
        "TA": .init("290"), // Tristan da Cunha
        "TC": .init("1", trunk: "1", length: 10), // Turks and Caicos Islands
        "TD": .init("235"), // Chad
        "TG": .init("228"), // Togo
        "TH": .init("66", trunk: "0"), // Thailand
        "TJ": .init("992", significantZero: true), // Tajikistan
        "TK": .init("690"), // Tokelau
        "TL": .init("670"), // Timor-Leste
        "TM": .init("993", trunk: "8", length: 8), // Turkmenistan
        "TN": .init("216"), // Tunisia
        "TO": .init("676"), // Tonga
        "TR": .init("90", trunk: "0"), // Türkiye
        "TT": .init("1", trunk: "1", length: 10), // Trinidad and Tobago
        "TV": .init("688"), // Tuvalu
        "TW": .init("886", trunk: "0"), // Taiwan
        "TZ": .init("255", trunk: "0"), // Tanzania
        "UA": .init("380", trunk: "0"), // Ukraine
        "UG": .init("256", trunk: "0"), // Uganda
        "US": .init("1", trunk: "1", length: 10), // United States
        "UY": .init("598", trunk: "0"), // Uruguay
        "UZ": .init("998"), // Uzbekistan
        "VA": .init("39", significantZero: true), // Holy See (Vatican City State)
        "VC": .init("1", trunk: "1", length: 10), // Saint Vincent and the Grenadines
        "VE": .init("58", trunk: "0"), // Venezuela
        "VG": .init("1", trunk: "1", length: 10), // Virgin Islands, British
        "VI": .init("1", trunk: "1", length: 10), // Virgin Islands, U.S.
        "VN": .init("84", trunk: "0"), // Vietnam
        "VU": .init("678"), // Vanuatu
        "WF": .init("681"), // Wallis and Futuna
        "WS": .init("685"), // Samoa
        "XK": .init("383", trunk: "0"), // Kosovo
        "YE": .init("967", trunk: "0"), // Yemen
        "YT": .init("262", trunk: "0"), // Mayotte
        "ZA": .init("27", trunk: "0"), // South Africa
        "ZM": .init("260", trunk: "0"), // Zambia
        "ZW": .init("263", trunk: "0"), // Zimbabwe
    ]

    /// Numbering plans by calling code; regions sharing a code share a plan.
    static let plansByCallingCode: [String: NumberingPlan] = {
        var byCode: [String: NumberingPlan] = [:]
        for region in plans.keys.sorted() {
            let plan = plans[region]!
            if byCode[plan.callingCode] == nil { byCode[plan.callingCode] = plan }
        }
        return byCode
    }()
}
