import SyncCore
import Transport

extension GHLClient {
    /// `GET /contacts/{contactId}/tasks`: every task of the contact (the endpoint does not page).
    public func tasks(of contactId: String) async throws(APIError) -> [GHLTask] {
        try await call(request(.get, Request.path("contacts", contactId, "tasks"), endpoint: "GET /contacts/{contactId}/tasks"))
            .models(GHLTask.self, "tasks")
    }

    /// `GET /contacts/{contactId}/tasks/{taskId}`
    public func task(_ taskId: String, of contactId: String) async throws(APIError) -> GHLTask {
        try await taskAnswer(request(
            .get, Request.path("contacts", contactId, "tasks", taskId), endpoint: "GET /contacts/{contactId}/tasks/{taskId}"))
    }

    /// `POST /contacts/{contactId}/tasks` (201): `title`, `dueDate`, `completed` required; `body`, `assignedTo`.
    public func createTask(_ fields: JSONObject, for contactId: String) async throws(APIError) -> GHLTask {
        try await taskAnswer(request(
            .post, Request.path("contacts", contactId, "tasks"), endpoint: "POST /contacts/{contactId}/tasks",
            body: .object(GHLClient.wholeSecondDue(fields))))
    }

    /// `PUT /contacts/{contactId}/tasks/{taskId}`. GHL errors on an update that lacks `title` or
    /// `dueDate`, and on a `dueDate` with milliseconds (n8n, wave2 A.1): a missing one is read from the
    /// task first (one more request), and `dueDate` is sent to the second.
    public func updateTask(_ taskId: String, of contactId: String, _ fields: JSONObject) async throws(APIError) -> GHLTask {
        var body = fields
        if body["title"] == nil || body["dueDate"] == nil {
            let current = try await task(taskId, of: contactId)
            if body["title"] == nil { body["title"] = current.raw["title"] ?? "" }
            if body["dueDate"] == nil, let due = current.raw["dueDate"] { body["dueDate"] = due }
        }
        body = GHLClient.wholeSecondDue(body)
        return try await taskAnswer(request(
            .put, Request.path("contacts", contactId, "tasks", taskId), endpoint: "PUT /contacts/{contactId}/tasks/{taskId}",
            body: .object(body)))
    }

    /// `PUT /contacts/{contactId}/tasks/{taskId}/completed`
    public func completeTask(_ taskId: String, of contactId: String, completed: Bool = true) async throws(APIError) -> GHLTask {
        try await taskAnswer(request(
            .put, Request.path("contacts", contactId, "tasks", taskId, "completed"),
            endpoint: "PUT /contacts/{contactId}/tasks/{taskId}/completed", body: ["completed": .bool(completed)]))
    }

    /// `DELETE /contacts/{contactId}/tasks/{taskId}` (`{succeded}`).
    public func deleteTask(_ taskId: String, of contactId: String) async throws(APIError) -> Bool {
        try await call(request(
            .delete, Request.path("contacts", contactId, "tasks", taskId), endpoint: "DELETE /contacts/{contactId}/tasks/{taskId}"))
            .flag("succeded", "succeeded")
    }

    /// `fields` with `dueDate` as ISO 8601 UTC in whole seconds (`2026-02-01T10:00:00Z`), as task writes need.
    static func wholeSecondDue(_ fields: JSONObject) -> JSONObject {
        guard let value = fields["dueDate"], let ms = GHLDate.milliseconds(value) else { return fields }
        var fields = fields
        fields["dueDate"] = .string(Timestamp.iso8601(ms >= 0 ? ms / 1000 : (ms - 999) / 1000))
        return fields
    }

    private func taskAnswer(_ request: Request) async throws(APIError) -> GHLTask {
        let answer = try await call(request)
        return try answer.model(GHLTask.self, try answer.object("task"), at: "task")
    }
}
