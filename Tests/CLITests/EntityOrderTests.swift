import Engine
import SyncCore
import Testing

/// Entities run in reference order, not by name.
struct EntityOrderTests {
    func mapping(_ entity: String, references: [String] = []) -> Mapping {
        var fields = [FieldMapping(name: "name", ghl: FieldSource(.key("name")), espo: FieldSource(.key("name")))]
        for target in references {
            fields.append(FieldMapping(
                name: target, type: .reference, ghl: FieldSource(.key(target + "Id")), espo: FieldSource(.key(target + "Id")),
                references: target))
        }
        return Mapping(
            entity: entity, file: "\(entity).json",
            sides: PerSide(ghl: SideSpec(object: entity, updatedAtPath: .key("u")), espo: SideSpec(object: entity, updatedAtPath: .key("u"))),
            fields: fields, identity: [IdentityKey(field: "name", match: .text)])
    }

    @Test func aReferencedEntityRunsBeforeTheEntitiesPointingAtIt() throws {
        let ordered = try EntityOrder.sorted([mapping("task", references: ["contact"]), mapping("contact", references: ["business"]), mapping("business")])
        #expect(ordered.map(\.entity) == ["business", "contact", "task"])
        // "appointment" sorts before "business" by name, but points at the contact.
        let more = try EntityOrder.sorted([mapping("contact", references: ["business"]), mapping("appointment", references: ["contact"]), mapping("business")])
        #expect(more.map(\.entity) == ["business", "contact", "appointment"])
    }

    @Test func aCircleOrAMissingEntityIsAnErrorNamingTheFile() {
        #expect(throws: EngineError.self) { try EntityOrder.sorted([self.mapping("a", references: ["b"]), self.mapping("b", references: ["a"])]) }
        do {
            _ = try EntityOrder.sorted([mapping("contact", references: ["business"])])
            Issue.record("a reference to a missing entity was accepted")
        } catch {
            #expect(error.description.contains("contact.json"))
            #expect(error.description.contains("business"))
        }
    }
}
