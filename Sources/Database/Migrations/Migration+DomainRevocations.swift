import SQLKit

extension Migration {
    /// Revocation events can name a domain: disabling a domain revokes the tokens scoped to it.
    static let domainRevocations = Migration(version: 3, name: "domain revocations") { db in
        try await db.alter(table: "revocation_events").column("domain_id", type: .text).run()
        try await db.create(index: "revocation_events_domain").on("revocation_events").column("domain_id").run()
    }
}
