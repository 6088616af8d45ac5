import SyncCore

/// Contacts changed directly, as a person would in GHL's web app (no request, no rate limit, no
/// duplicate rule), for tests and demos.
extension GHLEmulator {
    /// Writes `changes` (`UpdateContactDto` members; null or "" clears; `tags` replaces the set)
    /// over a contact and moves its `dateUpdated`. False when there is no such contact.
    @discardableResult
    public func editContact(_ id: String, location: String, _ changes: JSONObject) -> Bool {
        guard var contact = locations[location]?.contacts[id] else { return false }
        contact.apply(changes)
        contact.dateUpdated = tick()
        locations[location]!.put(contact, lag: settings.searchLag)
        return true
    }

    /// Deletes a contact with its tasks, notes and appointments. False when there is no such contact.
    @discardableResult
    public func deleteContact(_ id: String, location: String) -> Bool {
        guard locations[location]?.contacts[id] != nil else { return false }
        locations[location]!.remove(id, lag: settings.searchLag)
        return true
    }
}
