import SyncCore

extension Store {
    /// Task and Meeting `dateStart`/`dateEnd` are datetimeOptional (FACTS §4): an all-day value is
    /// sent as `dateStartDate`/`dateEndDate`, and the server sets `dateStart` to that day's midnight
    /// and `dateEnd` to the midnight after `dateEndDate` (the end day is inclusive), in the instance
    /// time zone (UTC here). A timed `dateStart`/`dateEnd` clears its date companion. A Meeting with
    /// `isAllDay: false` clears both dates; one given a `dateStartDate` becomes all-day
    /// (`Core/Repositories/Event.php`).
    static func applyAllDay(_ input: JSONObject, to record: inout StoredRecord, _ definition: EntityDefinition) {
        let isMeeting = definition.name == "Meeting"
        if isMeeting, input["isAllDay"] == .bool(false) {
            record.attributes["dateStartDate"] = .null
            record.attributes["dateEndDate"] = .null
            return
        }
        for (time, date, shift) in [("dateStart", "dateStartDate", Int64(0)), ("dateEnd", "dateEndDate", Int64(86_400))] {
            if let day = input[date]?.stringValue, let midnight = Timestamp.parse(day + " 00:00:00") {
                record.attributes[time] = .string(Timestamp.naive(midnight + shift))
                if isMeeting { record.attributes["isAllDay"] = true }
            } else if input[time] != nil, input[date] == nil {
                record.attributes[date] = .null
            }
        }
    }
}
