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
            body: .object(fields)))
    }

    /// `PUT /contacts/{contactId}/tasks/{taskId}`
    public func updateTask(_ taskId: String, of contactId: String, _ fields: JSONObject) async throws(APIError) -> GHLTask {
        try await taskAnswer(request(
            .put, Request.path("contacts", contactId, "tasks", taskId), endpoint: "PUT /contacts/{contactId}/tasks/{taskId}",
            body: .object(fields)))
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

    private func taskAnswer(_ request: Request) async throws(APIError) -> GHLTask {
        let answer = try await call(request)
        return try answer.model(GHLTask.self, try answer.object("task"), at: "task")
    }
}
