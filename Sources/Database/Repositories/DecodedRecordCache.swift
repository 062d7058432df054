import Synchronization

/// Records decoded from their JSON column, kept by id while the stored text is unchanged, so that lists and the
/// read-modify-write of every state change stop paying for a JSON decode. The text is the key's proof: a record
/// changed by any writer (another process too) no longer matches and is decoded again. Bounded: when full, it
/// starts over.
final class DecodedRecordCache<Value: Sendable>: Sendable {
    private let entries = Mutex<[String: (record: String, value: Value)]>([:])
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// The value of `record` (the row `id`'s JSON), decoded only when not seen before.
    func value(id: String, record: String, decode: (String) throws -> Value) throws -> Value {
        if let hit = entries.withLock({ $0[id] }), hit.record == record { return hit.value }
        let value = try decode(record)
        store(value, id: id, record: record)
        return value
    }

    /// Remembers the value just written as `record`, so that the next read of it needs no decoding.
    func store(_ value: Value, id: String, record: String) {
        entries.withLock { entries in
            if entries.count >= capacity, entries[id] == nil { entries.removeAll(keepingCapacity: true) }
            entries[id] = (record, value)
        }
    }
}
