import Foundation
import StateStore
import SyncCore
import Transport

/// What fetching one entity saw on both sides.
struct Fetched: Sendable {
    var listings: PerSide<Listing>
    var states: PerSide<FetchState>
    /// Rows that could not be read; a listing holding any is not a full one.
    var unreadable: [UnreadableRow]
    /// The ids of the records listed as changed, per side (children read per parent start from them):
    /// a record listed only because the last sync wrote it, and holding just what it wrote, is not.
    var listed: PerSide<Set<String>>
}

/// The parents whose children a per-parent listing reads this run, by their id on each side.
struct ParentScope: Sendable {
    var ids: PerSide<Set<String>>
    /// What they are, for the progress line: "contacts (every one)", "contacts (changed, and 1/7 of the rest)".
    var description: String
    /// Whether they are every linked parent.
    var isEverything: Bool
}

extension Engine {
    /// Lists both sides at once into the snapshot (each bounded by its own pacer); a full listing then
    /// drops the records it did not hold.
    /// `tracksEchoes`: tell apart the records listed again only because the last sync wrote them (the
    /// entity is the parent of children read per parent, whose reads start from what changed).
    func fetch(
        _ mapping: Mapping, run: Int64, options: RunOptions, parents: ParentScope? = nil, tracksEchoes: Bool = false
    ) async throws(EngineError) -> Fetched {
        let written = tracksEchoes
            ? PerSide(ghl: try state { try store.writtenByLastSync(before: run, entity: mapping.entity, side: .ghl) },
                      espo: try state { try store.writtenByLastSync(before: run, entity: mapping.entity, side: .espo) })
            : nil
        async let ghl = fetchSide(.ghl, mapping, run: run, options: options, parents: parents, written: written?.ghl)
        async let espo = fetchSide(.espo, mapping, run: run, options: options, parents: parents, written: written?.espo)
        let results = (await ghl, await espo)
        let sides = PerSide(ghl: try results.0.get(), espo: try results.1.get())
        return Fetched(
            listings: sides.map(\.listing), states: sides.map(\.state),
            unreadable: sides.ghl.unreadable + sides.espo.unreadable, listed: sides.map(\.listed))
    }

    struct SideFetch: Sendable {
        var listing: Listing
        var state: FetchState
        var unreadable: [UnreadableRow]
        var listed: Set<String>
    }

    private func fetchSide(
        _ side: Side, _ mapping: Mapping, run: Int64, options: RunOptions, parents: ParentScope?, written: Set<String>?
    ) async -> Result<SideFetch, EngineError> {
        do throws(EngineError) {
            return .success(try await listSide(side, mapping, run: run, options: options, parents: parents, written: written))
        } catch {
            return .failure(error)
        }
    }

    /// `incrementalOnly`: list from the high-water mark even where a full listing is due (`serve`'s
    /// poll leaves those to `sync`).
    func listSide(
        _ side: Side, _ mapping: Mapping, run: Int64, options: RunOptions, parents: ParentScope?, written: Set<String>?,
        incrementalOnly: Bool = false
    ) async throws(EngineError) -> SideFetch {
        let adapter = try connectors[side].adapter(for: mapping)
        let now = Date()
        let fingerprint = mapping.fingerprint
        let previous = FetchState(stored: try state { try store.watermark(entity: mapping.entity, side: side) })
        let reason = options.full ? "--full" : incrementalOnly && previous.highWater != nil ? nil : previous.fullReason(
            now: now, mapping: fingerprint, fullScanEvery: settings.fullScanEveryDays)
        // Read per parent: every record of the parents in scope, so the listing is full for them.
        let perParent = adapter.listsPerParent ? (parents?.ids[side] ?? []) : nil
        let full = reason != nil || adapter.listsEverything || perParent != nil
        if let reason, !options.full, !adapter.listsEverything, perParent == nil {
            progress(.note("\(side.displayName) \(mapping.entity): full listing (\(reason))"))
        }
        if let perParent, let parents {
            progress(.note("\(side.displayName) \(mapping.entity): reading those of \(perParent.count) \(parents.description)"))
        }
        let since = full ? nil : previous.highWater.map { $0.addingTimeInterval(-settings.overlapSeconds) }
        let links = try referenceLinks(of: mapping, side: side)
        var count = 0
        var highWater = previous.highWater
        var unreadable: [UnreadableRow] = []
        /// Linked records whose row lacks a key the base holds a value for: possibly cleared.
        var suspects: [SideRecord] = []
        var listed = Set<String>()
        let listingStarted = Date()
        do {
            let handle: (ListingPage) async throws -> Void = { page in
                var rows: [(record: SideRecord, identity: [String])] = []
                rows.reserveCapacity(page.records.count)
                unreadable += page.unreadable
                for object in page.records {
                    guard var record = mapping.record(
                        from: object, side: side, absentMeansEmpty: page.absentMeansEmpty,
                        links: { entity, id in links[entity]?[id] })
                    else {
                        unreadable.append(UnreadableRow(
                            id: nil, field: "id", endpoint: "\(side.displayName) \(mapping.sides[side].object) listing",
                            message: "a listed record has no readable id"))
                        continue
                    }
                    record.refusal = adapter.refusal(of: object)
                    if let updated = record.updatedAt, highWater.map({ updated > $0 }) ?? true { highWater = updated }
                    listed.insert(record.id)
                    rows.append((record, mapping.identityValues(of: record.values)))
                }
                if let written {
                    // Not a change: a record listed again as the snapshot holds it (the listing's
                    // overlap), or one holding just what the last sync wrote into it (its echo).
                    let stamps = try self.store.snapshotStamps(entity: mapping.entity, side: side, ids: rows.map(\.record.id))
                    let echoed = rows.map(\.record).filter { written.contains($0.id) }
                    let bases = try self.store.bases(entity: mapping.entity, side: side, ids: echoed.map(\.id))
                    for (record, _) in rows {
                        if let stamp = stamps[record.id], stamp.updatedAt == record.updatedAt,
                           stamp.hash == CanonicalEncoding.hash(record.values) {
                            listed.remove(record.id)
                        } else if let base = bases[record.id], record.values.allSatisfy({ base[$0.key] ?? .empty == $0.value }) {
                            listed.remove(record.id)
                        }
                    }
                }
                try self.store.saveSnapshot(entity: mapping.entity, side: side, records: rows, run: run)
                if !page.absentMeansEmpty {
                    // One query a page for the bases of the rows that lack a key, checked in memory.
                    let lacking = rows.map(\.record).filter { $0.values.count < mapping.fields.count }
                    let bases = try self.store.bases(entity: mapping.entity, side: side, ids: lacking.map(\.id))
                    suspects += lacking.filter { record in
                        guard let base = bases[record.id] else { return false }
                        return !ClearCheck.suspects(record.values, base: base, of: mapping, side: side).isEmpty
                    }
                }
                count += page.records.count + page.unreadable.count
                self.progress(.fetched(entity: mapping.entity, side: side, count: count, full: full))
            }
            if let perParent {
                try await adapter.fetch(mapping, parents: perParent.sorted(), page: handle)
            } else {
                try await adapter.fetch(mapping, since: since, page: handle)
            }
        } catch let error as EngineError {
            throw error
        } catch let error as APIError {
            throw .api(error)
        } catch let error as StateStoreError {
            throw .state(error)
        } catch {
            throw .api(APIError(.invalidResponse, service: side.displayName, endpoint: "listing", message: "\(error)"))
        }
        try await settleClears(suspects, side: side, mapping, adapter: adapter, links: links, run: run)
        // A listing with rows it could not read is not a full one: a record it did not deliver is not gone.
        let complete = full && unreadable.isEmpty
        if complete {
            if let perParent, let field = mapping.parent {
                // Gone are only the records of the parents read.
                _ = try state {
                    try store.pruneSnapshot(entity: mapping.entity, side: side, notSeenIn: run) { record in
                        Reference(record.values[field])?.id(on: side).map(perParent.contains) ?? false
                    }
                }
            } else if let covers = adapter.covers(mapping) {
                _ = try state { try store.pruneSnapshot(entity: mapping.entity, side: side, notSeenIn: run, covering: covers) }
            } else {
                _ = try state { try store.pruneSnapshot(entity: mapping.entity, side: side, notSeenIn: run) }
            }
        }
        for row in unreadable { progress(.note("\(side.displayName) \(mapping.entity): unreadable row: \(row)")) }
        // A record changed while the listing ran may have been passed over (GHL's search drops a
        // second sighting, EspoCRM's feed holds it back): the next listing starts no later than
        // this one did.
        if let seen = highWater, seen > listingStarted { highWater = listingStarted }
        // A per-parent listing is full for its parents only: the next run's fresh-start check must not
        // take it for a full listing of everything.
        let fullAt = complete && (perParent == nil || parents?.isEverything == true) ? now : previous.fullAt
        return SideFetch(
            listing: !complete ? .incremental(count: count) : perParent != nil ? .fullForParents(count: count) : .full(count: count),
            state: FetchState(
                highWater: highWater, fullAt: fullAt, mapping: fingerprint,
                sweptAt: perParent != nil && complete ? now : previous.sweptAt),
            unreadable: unreadable, listed: listed)
    }

    /// A row that lacks a key does not say the field is empty (GHL search rows carry less than the
    /// record). For each record whose base holds a value there, read the whole record once and store
    /// it instead. Nothing is read where nothing may have been cleared.
    private func settleClears(
        _ suspects: [SideRecord], side: Side, _ mapping: Mapping, adapter: any ObjectAdapter,
        links: [String: [String: LinkKey]], run: Int64
    ) async throws(EngineError) {
        for record in suspects {
            let whole: JSONObject?
            do { whole = try await adapter.read(mapping, id: record.id) } catch { throw .api(error) }
            // Gone since it was listed: the next full listing says so; an unreadable answer proves nothing.
            guard let whole, var settled = mapping.record(
                from: whole, side: side, absentMeansEmpty: true, links: { entity, id in links[entity]?[id] })
            else { continue }
            settled.updatedAt = settled.updatedAt ?? record.updatedAt
            try state {
                try store.saveSnapshot(
                    entity: mapping.entity, side: side, records: [(settled, mapping.identityValues(of: settled.values))], run: run)
            }
        }
    }
}
