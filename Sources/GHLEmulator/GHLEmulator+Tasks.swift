import Emulation
import SyncCore

extension GHLEmulator {
    /// The most rows a `tasks/search` page gives. GHL states no maximum (wave2 A.1 ⚠U); the emulator
    /// takes at most 100 and answers 422 above, so a client must find the real limit, never assume it.
    public static let maxTaskSearchLimit = 100

    func listTasks(_ contactId: String, location: String, trace: String) -> ServedResponse {
        guard locations[location]?.contacts[contactId] != nil else { return Answer.badRequest("Contact not found", trace: trace) }
        let data = locations[location]!
        let tasks = data.orderedTasks.filter { $0["contactId"]?.stringValue == contactId }
        return Answer.ok(["tasks": .array(tasks.map { .object($0) })])
    }

    func getTask(_ contactId: String, _ taskId: String, location: String, trace: String) -> ServedResponse {
        guard let task = locations[location]?.tasks[contactId]?[taskId] else { return Answer.badRequest("Task not found", trace: trace) }
        return Answer.ok(["task": .object(task)])
    }

    func createTask(_ contactId: String, _ body: JSONObject, location: String, trace: String) -> ServedResponse {
        let problems = DTO.problems(body, allowed: DTO.createTask) + DTO.missing(body, ["title", "dueDate", "completed"])
        guard problems.isEmpty else { return Answer.unprocessable(problems, trace: trace) }
        guard locations[location]?.contacts[contactId] != nil else { return Answer.badRequest("Contact not found", trace: trace) }
        let task = makeTask(id: newId(), contactId: contactId, body)
        locations[location]!.putTask(task, contact: contactId)
        return Answer.ok(["task": .object(task)], status: 201)
    }

    /// `PUT …/tasks/{taskId}` and `…/completed`. A full update must carry `title` and `dueDate`, and a
    /// `dueDate` without fractional seconds: GHL errors otherwise, as n8n observed (wave2 A.1).
    func updateTask(_ contactId: String, _ taskId: String, _ body: JSONObject, allowed: Set<String>, location: String, trace: String) -> ServedResponse {
        var problems = DTO.problems(body, allowed: allowed)
        if allowed == DTO.taskCompleted {
            problems += DTO.missing(body, ["completed"])
        } else {
            problems += DTO.missing(body, ["title", "dueDate"])
            if let due = body["dueDate"]?.stringValue, GHLTime.hasFraction(due) {
                problems.append("dueDate must be an ISO 8601 date string without milliseconds")
            }
        }
        guard problems.isEmpty else { return Answer.unprocessable(problems, trace: trace) }
        guard var task = locations[location]?.tasks[contactId]?[taskId] else { return Answer.badRequest("Task not found", trace: trace) }
        for (key, value) in body {
            if key == "dueDate" {
                task[key] = GHLTime.milliseconds(value).map { .string(GHLTime.iso($0)) }
            } else {
                task[key] = StoredContact.clears(value) && key != "title" ? JSON?.none : value
            }
        }
        locations[location]!.putTask(task, contact: contactId)
        return Answer.ok(["task": .object(task)])
    }

    func deleteTask(_ contactId: String, _ taskId: String, location: String, trace: String) -> ServedResponse {
        guard locations[location]?.tasks[contactId]?[taskId] != nil else { return Answer.badRequest("Task not found", trace: trace) }
        locations[location]!.removeTask(taskId, contact: contactId)
        return Answer.ok(["succeded": true])
    }

    /// `POST /locations/{locationId}/tasks/search`: every task of the location, completed ones too, in
    /// creation order; `limit` (default 25, at most `maxTaskSearchLimit`) and `skip` page it.
    func searchTasks(_ body: JSONObject, location: String, trace: String) -> ServedResponse {
        var problems = DTO.problems(body, allowed: DTO.taskSearch)
        for key in ["contactId", "assignedTo"] {
            if let value = body[key], value.arrayValue == nil || value.arrayValue!.contains(where: { $0.stringValue == nil }) {
                problems.append("each value in \(key) must be a string")
            }
        }
        for key in ["query", "businessId"] where body[key] != nil && body[key]?.stringValue == nil {
            problems.append("\(key) must be a string")
        }
        let limit = body["limit"]?.numberValue ?? 25
        let skip = body["skip"]?.numberValue ?? 0
        if let value = body["limit"], value.numberValue == nil { problems.append("limit must be a number") }
        if let value = body["skip"], value.numberValue == nil { problems.append("skip must be a number") }
        if limit > Double(settings.taskSearchLimit) {
            problems.append("limit must not be greater than \(settings.taskSearchLimit)")
        }
        if limit < 1 { problems.append("limit must not be less than 1") }
        if skip < 0 { problems.append("skip must not be less than 0") }
        guard problems.isEmpty else { return Answer.unprocessable(problems, trace: trace) }

        let data = locations[location]!
        let contacts = body["contactId"]?.arrayValue.map { Set($0.compactMap(\.stringValue)) }
        let users = body["assignedTo"]?.arrayValue.map { Set($0.compactMap(\.stringValue)) }
        let completed = body["completed"]?.boolValue
        let text = body["query"]?.stringValue?.lowercased()
        let business = body["businessId"]?.stringValue
        let matching = data.orderedTasks.filter { task in
            let contactId = task["contactId"]?.stringValue ?? ""
            if let contacts, !contacts.contains(contactId) { return false }
            if let users, !users.contains(task["assignedTo"]?.stringValue ?? "") { return false }
            if let completed, task["completed"]?.boolValue != completed { return false }
            if let text, !text.isEmpty, !(task["title"]?.stringValue?.lowercased().contains(text) ?? false),
                !(task["body"]?.stringValue?.lowercased().contains(text) ?? false) { return false }
            if let business, data.contacts[contactId]?.fields["businessId"]?.stringValue != business { return false }
            return true
        }
        let page = matching.dropFirst(Int(skip)).prefix(Int(limit))
        return Answer.ok(["tasks": .array(page.map { .object($0) }), "traceId": .string(trace)])
    }

    func makeTask(id: String, contactId: String, _ body: JSONObject) -> JSONObject {
        var task: JSONObject = ["id": .string(id)]
        task["title"] = body["title"] ?? ""
        if let text = body["body"]?.stringValue, !text.isEmpty { task["body"] = .string(text) }
        if let user = body["assignedTo"]?.stringValue, !user.isEmpty { task["assignedTo"] = .string(user) }
        task["dueDate"] = .string(GHLTime.iso(GHLTime.milliseconds(body["dueDate"]) ?? tick()))
        task["completed"] = .bool(body["completed"]?.boolValue ?? false)
        task["contactId"] = .string(contactId)
        return task
    }

    func customFields(_ request: ServedRequest, location: String) -> ServedResponse {
        let model = request.query(plusIsSpace: true).first { $0.name == "model" }?.value ?? "all"
        let fields = locations[location]!.customFields.filter { model == "all" || $0["model"]?.stringValue == model }
        return Answer.ok(["customFields": .array(fields.map { .object($0) })])
    }
}

extension GHLTime {
    /// Whether an ISO time carries fractional seconds (`…:00.000Z`).
    static func hasFraction(_ text: String) -> Bool {
        guard let colon = text.lastIndex(of: ":") else { return false }
        return text[colon...].contains { $0 == "." || $0 == "," }
    }
}
