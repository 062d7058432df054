/// A Cinder volume type. Every cloud has `__DEFAULT__`, which volumes get when they name none.
public struct VolumeType: Sendable, Codable, Equatable {
    /// The name of the type every cloud has.
    public static let defaultName = "__DEFAULT__"

    public var id: VolumeTypeID
    public var name: String
    public var description: String?
    public var isPublic: Bool
    public var extraSpecs: [String: String]

    public init(id: VolumeTypeID, name: String, description: String?, isPublic: Bool = true, extraSpecs: [String: String] = [:]) {
        self.id = id
        self.name = name
        self.description = description
        self.isPublic = isPublic
        self.extraSpecs = extraSpecs
    }
}
