/// What to do with one linked pair as a whole, before any field is looked at: the record-level table
/// of the three-way merge (`FieldDecision` is the field-level one).
///
/// "present" is whether the side's snapshot holds the record; "full" whether that side's listing was
/// a full one (only a full listing says a record is gone); "edited" whether the kept record differs
/// from the base in any field.
///
/// | GHL        | EspoCRM    | other conditions                                   | decision |
/// |------------|------------|----------------------------------------------------|----------|
/// | in scope   | in scope   | —                                                  | merge field by field (resuming a paused pair) |
/// | present    | present    | either out of scope, pair paused                   | nothing (the marker stays) |
/// | present    | present    | either out of scope                                | unlink: the pair pauses, nothing is deleted |
/// | absent     | absent     | neither listing full                               | nothing |
/// | absent     | absent     | a listing full                                     | forget: deleted on both sides |
/// | absent     | present    | GHL listing not full, or pair paused               | nothing |
/// | absent     | present    | the kept record out of scope                       | forget |
/// | absent     | present    | delete policy `ignore`                             | unlink: the kept record stays, not synced |
/// | absent     | present    | kept record not edited                             | delete it (policy `propagate`) |
/// | absent     | present    | kept record edited                                 | delete-versus-edit conflict: the policy (or a person) keeps the edit (create it again) or the delete |
///
/// The rows with GHL and EspoCRM exchanged hold the same way.
public enum RecordDecision: Sendable, Hashable {
    /// Both records in scope: decide field by field; `resuming` when the pair was paused.
    case merge(resuming: Bool)
    /// Nothing changes for the pair.
    case keep
    /// The pair pauses (a record left its filter); `left` is the side whose record left, nil for both.
    case unlink(left: Side?)
    /// The link goes, nothing is written: deleted on both sides, or deleted on one while the other is
    /// out of scope. `gone` is the side whose record was deleted, nil for both.
    case forget(gone: Side?)
    /// The record of `gone` was deleted and the delete policy keeps the other one, no longer synced.
    case ignoreDelete(gone: Side)
    /// The record of `gone` was deleted: delete the other one too.
    case propagateDelete(gone: Side)
    /// Deleted on `gone`, edited on the other side: a conflict over the whole record. `keepEdit` true
    /// creates the edited record again, false deletes it, nil leaves it for a person.
    case deleteVersusEdit(gone: Side, keepEdit: Bool?)

    /// The decision for a linked pair; nil records are absent from the snapshot.
    public static func decide(
        _ link: Link, ghl: SideRecord?, espo: SideRecord?, listings: PerSide<Listing>, mapping: Mapping,
        resolution: Side?
    ) -> RecordDecision {
        switch (ghl, espo) {
        case let (ghl?, espo?):
            if ghl.inScope && espo.inScope { return .merge(resuming: link.paused) }
            if link.paused { return .keep }
            return .unlink(left: ghl.inScope ? .espo : espo.inScope ? .ghl : nil)
        case (nil, nil):
            return listings.ghl.isFull || listings.espo.isFull ? .forget(gone: nil) : .keep
        case (nil, let espo?):
            return missing(link, gone: .ghl, kept: espo, listings: listings, mapping: mapping, resolution: resolution)
        case (let ghl?, nil):
            return missing(link, gone: .espo, kept: ghl, listings: listings, mapping: mapping, resolution: resolution)
        }
    }

    private static func missing(
        _ link: Link, gone: Side, kept: SideRecord, listings: PerSide<Listing>, mapping: Mapping, resolution: Side?
    ) -> RecordDecision {
        // A paused pair stays a marker while either record exists: it keeps the kept record from being
        // created again on the side where it was deleted.
        guard listings[gone].isFull, !link.paused else { return .keep }
        if !kept.inScope { return .forget(gone: gone) }
        if mapping.deletes == .ignore { return .ignoreDelete(gone: gone) }
        let edited = mapping.fields.contains { field in
            guard let value = kept.values[field.name] else { return false }
            return value != (link.base[field.name] ?? .empty)
        }
        guard edited else { return .propagateDelete(gone: gone) }
        if let resolution { return .deleteVersusEdit(gone: gone, keepEdit: resolution == gone.other) }
        switch mapping.conflict {
        case .ghlWins: return .deleteVersusEdit(gone: gone, keepEdit: gone == .espo)
        case .espoWins: return .deleteVersusEdit(gone: gone, keepEdit: gone == .ghl)
        // The edit is known to be recent; the delete's time is not.
        case .newestWins: return .deleteVersusEdit(gone: gone, keepEdit: true)
        case .manual: return .deleteVersusEdit(gone: gone, keepEdit: nil)
        }
    }
}
