/// When "absent" means "empty": the decision that lets a clear travel without mistaking a key an
/// endpoint leaves out for a clear.
///
/// | where the record comes from                          | a key it lacks means              |
/// |------------------------------------------------------|-----------------------------------|
/// | a whole record (GHL `GET /contacts/{id}`, EspoCRM `GET /{Entity}/{id}`) | empty: GHL leaves unset fields out, EspoCRM answers `null` |
/// | a listing row (GHL search rows, business lists; EspoCRM list rows) | unknown: a row carries less than the record (GHL search rows name the street `address`) |
/// | any source, key present with `null` or `""`          | empty                             |
///
/// A row's unknown field is settled by reading the record only when it may be a clear: the base holds a
/// value there and changes on that side travel. So a record is read at most once, and never when nothing
/// was cleared.
public enum ClearCheck {
    /// The fields `values` (a row that lacks keys) has no entry for while the base holds a value, and
    /// whose changes on `side` travel: only these can be clears, and only the record can say.
    public static func suspects(_ values: FieldValues, base: FieldValues, of mapping: Mapping, side: Side) -> [String] {
        mapping.fields.compactMap { field in
            guard values[field.name] == nil, field.direction.writes(to: side.other),
                  let agreed = base[field.name], !agreed.isEmpty else { return nil }
            return field.name
        }
    }
}
