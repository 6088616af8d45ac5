import Emulation
import SyncCore

/// GHL's answer shapes (`common/common-schemas.json`): `{statusCode, message}` for 400,
/// `{statusCode, message, error}` for 401/403/404/429/5xx, `{statusCode, message: [..], error}` for 422.
enum Answer {
    static func ok(_ body: JSONObject, status: Int = 200) -> ServedResponse { .json(status, .object(body)) }

    static func badRequest(_ message: String, trace: String, extra: JSONObject = [:]) -> ServedResponse {
        var body: JSONObject = ["statusCode": 400, "message": .string(message)]
        for (key, value) in extra { body[key] = value }
        body["traceId"] = .string(trace)
        return .json(400, .object(body))
    }

    static func error(_ status: Int, _ message: String, trace: String) -> ServedResponse {
        .json(status, [
            "statusCode": .number(Double(status)), "message": .string(message), "error": .string(reason(status)),
            "traceId": .string(trace),
        ])
    }

    static func unprocessable(_ messages: [String], trace: String) -> ServedResponse {
        .json(422, [
            "statusCode": 422, "message": .array(messages.map { .string($0) }), "error": "Unprocessable Entity",
            "traceId": .string(trace),
        ])
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 422: "Unprocessable Entity"
        case 429: "Too Many Requests"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        default: status >= 500 ? "Internal Server Error" : "Error"
        }
    }
}

/// A write DTO's members (`apps/contacts.json`): anything else is answered 422 "property X should not exist".
enum DTO {
    static let contactCommon: Set<String> = [
        "firstName", "lastName", "name", "email", "phone", "address1", "city", "state", "postalCode", "website",
        "timezone", "dnd", "dndSettings", "inboundDndSettings", "tags", "customFields", "source", "dateOfBirth",
        "country", "assignedTo",
    ]
    static let createContact = contactCommon.union(["locationId", "gender", "companyName"])
    static let updateContact = contactCommon
    static let upsertContact = createContact.union(["createNewIfDuplicateAllowed"])
    static let createTask: Set<String> = ["title", "body", "dueDate", "completed", "assignedTo"]
    static let taskCompleted: Set<String> = ["completed"]
    static let tags: Set<String> = ["tags"]
    static let note: Set<String> = ["userId", "body", "title", "color", "pinned"]
    /// `locations:TaskSearchParamsDto`.
    static let taskSearch: Set<String> = ["contactId", "completed", "assignedTo", "query", "limit", "skip", "businessId"]
    /// `calendars:AppointmentEditSchema`; `AppointmentCreateSchema` adds `locationId` and `contactId`.
    static let editAppointment: Set<String> = [
        "title", "meetingLocationType", "meetingLocationId", "overrideLocationConfig", "appointmentStatus", "assignedUserId",
        "description", "address", "ignoreDateRange", "toNotify", "ignoreFreeSlotValidation", "rrule", "calendarId",
        "startTime", "endTime",
    ]
    static let createAppointment = editAppointment.union(["locationId", "contactId"])
    static let search: Set<String> = ["locationId", "pageLimit", "page", "searchAfter", "filters", "sort", "query"]
    /// `businesses:UpdateBusinessDto`; `CreateBusinessDto` adds `locationId`.
    static let updateBusiness: Set<String> = StoredBusiness.writable
    static let createBusiness = updateBusiness.union(["locationId"])
    /// `contacts:ContactsBusinessUpdate`.
    static let bulkBusiness: Set<String> = ["locationId", "ids", "businessId"]

    /// The 422 messages for `body` against `allowed`, plus type checks of the members GHL validates.
    static func problems(_ body: JSONObject, allowed: Set<String>) -> [String] {
        var messages = body.keys.filter { !allowed.contains($0) }.map { "property \($0) should not exist" }
        for (key, value) in body where allowed.contains(key) {
            switch key {
            case "email" where !value.isNull:
                if !(value.stringValue?.contains("@") ?? false) { messages.append("email must be an email") }
            case "tags":
                if value.arrayValue == nil || value.arrayValue!.contains(where: { $0.stringValue == nil }) {
                    messages.append("each value in tags must be a string")
                }
            case "customFields":
                if value.arrayValue == nil { messages.append("customFields must be an array") }
            case "dnd", "completed", "pinned", "createNewIfDuplicateAllowed":
                if value.boolValue == nil { messages.append("\(key) must be a boolean value") }
            case "dueDate":
                if GHLTime.milliseconds(value) == nil || value.stringValue == nil {
                    messages.append("dueDate must be a valid ISO 8601 date string")
                }
            case "firstName", "lastName", "name", "title", "body", "locationId", "companyName", "source":
                if value.stringValue == nil, !value.isNull { messages.append("\(key) must be a string") }
            default: break
            }
        }
        return messages
    }

    /// 422 messages for members of `allowed` that must be strings (null clears) but are not; the
    /// members `problems` checks itself are skipped.
    static func strings(_ body: JSONObject, _ allowed: Set<String>) -> [String] {
        let checked: Set<String> = ["firstName", "lastName", "name", "title", "body", "locationId", "companyName", "source", "email"]
        return body.filter { allowed.contains($0.key) && !checked.contains($0.key) && !$0.value.isNull && $0.value.stringValue == nil }
            .keys.sorted().map { "\($0) must be a string" }
    }

    /// 422 messages for required members that are missing.
    static func missing(_ body: JSONObject, _ required: [String]) -> [String] {
        required.filter { body[$0] == nil || body[$0]!.isNull }.map { key in
            switch key {
            case "completed": "completed must be a boolean value"
            case "dueDate": "dueDate must be a valid ISO 8601 date string"
            case "tags": "tags must be an array"
            default: "\(key) must be a string"
            }
        }
    }
}
