import Database
import Hummingbird

extension Request {
    /// Equality filters from the query string, for the columns named (`?name=demo&enabled=true`).
    func filters(_ columns: [String]) -> [RecordFilter] {
        columns.compactMap { column -> RecordFilter? in
            guard let value = uri.queryParameters[column[...]] else { return nil }
            if column == "enabled" || column == "is_domain" {
                return RecordFilter(column, ["true", "1", "yes"].contains(value.lowercased()))
            }
            return RecordFilter(column, String(value))
        }
    }
}

extension IdentityURLs {
    /// The `links` of an unpaginated collection at `path` under `/v3`.
    func collectionLinks(_ path: String) -> CollectionLinks {
        CollectionLinks(self: v3 + "/" + path, previous: nil, next: nil)
    }
}
