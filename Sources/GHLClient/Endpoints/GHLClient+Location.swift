import Foundation
import SyncCore
import Transport

/// A sub-account as `GET /locations/{locationId}` describes it (`GetLocationByIdSchema`).
public struct GHLLocation: Sendable, Equatable {
    public var id: String
    public var name: String?
    public var companyId: String?
    public var timezone: String?
}

extension GHLClient {
    /// `GET /locations/{locationId}` (scope `locations.readonly`): the location, and the server's clock
    /// when it answered (its `Date` header).
    public func location() async throws(APIError) -> (location: GHLLocation, serverDate: Date?) {
        let endpoint = "GET /locations/{locationId}"
        let response = try await transport.send(request(.get, Request.path("locations", locationId), endpoint: endpoint))
        let json: JSON
        do { json = try response.json() } catch {
            throw APIError(.invalidResponse, service: transport.service, endpoint: endpoint, status: response.status,
                           message: "the answer is not JSON: \(error)", response: response)
        }
        let answer = AnswerReader(endpoint: endpoint, json: json)
        let location = try answer.object("location")
        guard let id = location["id"]?.stringValue else {
            throw answer.failure("location.id", "expected a string")
        }
        return (GHLLocation(id: id, name: location["name"]?.stringValue, companyId: location["companyId"]?.stringValue,
                            timezone: location["timezone"]?.stringValue), response.date)
    }
}
