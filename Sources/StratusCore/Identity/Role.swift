/// A Keystone role. The cloud's policy knows `admin`, `member` and `reader`.
public struct Role: Sendable, Codable, Equatable {
    public var id: RoleID
    public var name: String
    public var description: String

    public init(id: RoleID, name: String, description: String = "") {
        self.id = id
        self.name = name
        self.description = description
    }

    public static let admin = "admin"
    public static let member = "member"
    public static let reader = "reader"
}
