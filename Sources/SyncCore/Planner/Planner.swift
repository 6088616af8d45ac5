/// Everything a plan is made from, held in memory.
public struct PlanInput: Sendable, Hashable {
    public var links: [Link]
    public var records: PerSide<[SideRecord]>
    public var listings: PerSide<Listing>

    /// Input whose listings default to full listings of the given records.
    public init(links: [Link], ghl: [SideRecord], espo: [SideRecord], listings: PerSide<Listing>? = nil) {
        self.links = links
        self.records = PerSide(ghl: ghl, espo: espo)
        self.listings = listings ?? PerSide(ghl: .full(count: ghl.count), espo: .full(count: espo.count))
    }
}

/// The three-way planner: a pure function of links, base, both snapshots, mapping and options.
public enum Planner {
    /// The plan for `input`.
    public static func plan(_ input: PlanInput, mapping: Mapping, options: PlanOptions = PlanOptions()) -> Plan {
        let byId = input.records.map { Dictionary($0.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a }) }
        let linkedIds = PerSide(ghl: Set(input.links.map(\.ghlId)), espo: Set(input.links.map(\.espoId)))
        let unlinked = PerSide(
            ghl: input.records.ghl.filter { !linkedIds.ghl.contains($0.id) },
            espo: input.records.espo.filter { !linkedIds.espo.contains($0.id) })
        var builder = PlanBuilder(mapping: mapping, options: options, listings: input.listings, unlinked: unlinked)
        for link in input.links {
            builder.add(link, ghl: byId.ghl[link.ghlId], espo: byId.espo[link.espoId])
        }
        return builder.finish()
    }
}
