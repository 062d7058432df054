public import StratusCore

/// A value kept as one row of one table, keyed by its typed id.
public protocol StoredRecord: Codable, Sendable {
    associatedtype ID: RawRepresentable<String> & Sendable
    /// The table's name.
    static var table: String { get }
    /// What a client calls it in messages ("user", "project").
    static var kind: String { get }
    var id: ID { get }
    /// What makes a duplicate, for the 409 message ("with name demo at domain ID default").
    var duplicateDescription: String { get }
}

extension Domain: StoredRecord {
    public static let table = "domains"
    public static let kind = "domain"
    public var duplicateDescription: String { "with name \(name)" }
}

extension Project: StoredRecord {
    public static let table = "projects"
    public static let kind = "project"
    public var duplicateDescription: String { "with name \(name) at domain ID \(domainId)" }
}

extension User: StoredRecord {
    public static let table = "users"
    public static let kind = "user"
    public var duplicateDescription: String { "with name \(name) at domain ID \(domainId)" }
}

extension Role: StoredRecord {
    public static let table = "roles"
    public static let kind = "role"
    public var duplicateDescription: String { "with name \(name)" }
}

extension CatalogService: StoredRecord {
    public static let table = "services"
    public static let kind = "service"
    public var duplicateDescription: String { "with ID \(id)" }
}

extension Endpoint: StoredRecord {
    public static let table = "endpoints"
    public static let kind = "endpoint"
    public var duplicateDescription: String { "with ID \(id)" }
}
