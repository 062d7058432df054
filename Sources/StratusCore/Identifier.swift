import Foundation

/// A typed identifier: the phantom `Tag` keeps a user id from being passed where a project id belongs.
///
/// On the wire and in the database it is the bare string (Keystone ids are 32 hex digits; `default` for the
/// default domain).
public struct Identifier<Tag>: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    /// A new random id: a UUID's 32 hex digits without dashes, as Keystone makes them.
    public static func generate() -> Self {
        Self(rawValue: UUIDHex.random())
    }

    /// A new random id in the dashed UUID form (Glance's and Nova's ids).
    public static func generateUUID() -> Self {
        Self(rawValue: UUID().uuidString.lowercased())
    }

    public init(from decoder: any Decoder) throws {
        self.rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }
}

public enum DomainTag {}
public enum ProjectTag {}
public enum UserTag {}
public enum RoleTag {}
public enum ServiceTag {}
public enum EndpointTag {}
public enum ImageTag {}
public enum NetworkTag {}
public enum SubnetTag {}
public enum PortTag {}
public enum SecurityGroupTag {}
public enum SecurityGroupRuleTag {}
public enum InstanceTag {}
public enum FlavorTag {}
public enum ServerGroupTag {}
public enum ComputeNodeTag {}
public enum VolumeTag {}
public enum SnapshotTag {}
public enum AttachmentTag {}
public enum VolumeTypeTag {}

public typealias DomainID = Identifier<DomainTag>
public typealias ProjectID = Identifier<ProjectTag>
public typealias UserID = Identifier<UserTag>
public typealias RoleID = Identifier<RoleTag>
public typealias ServiceID = Identifier<ServiceTag>
public typealias EndpointID = Identifier<EndpointTag>
public typealias ImageID = Identifier<ImageTag>
public typealias NetworkID = Identifier<NetworkTag>
public typealias SubnetID = Identifier<SubnetTag>
public typealias PortID = Identifier<PortTag>
public typealias SecurityGroupID = Identifier<SecurityGroupTag>
public typealias SecurityGroupRuleID = Identifier<SecurityGroupRuleTag>
public typealias InstanceID = Identifier<InstanceTag>
public typealias FlavorID = Identifier<FlavorTag>
public typealias ServerGroupID = Identifier<ServerGroupTag>
/// A compute host's service and hypervisor id (a UUID since compute API 2.53).
public typealias ComputeNodeID = Identifier<ComputeNodeTag>
/// A Cinder volume (a dashed UUID).
public typealias VolumeID = Identifier<VolumeTag>
/// A Cinder volume snapshot (a dashed UUID).
public typealias SnapshotID = Identifier<SnapshotTag>
/// A Cinder volume attachment (a dashed UUID).
public typealias AttachmentID = Identifier<AttachmentTag>
/// A Cinder volume type (a dashed UUID).
public typealias VolumeTypeID = Identifier<VolumeTypeTag>

extension DomainID {
    /// Keystone's default domain, which every cloud has.
    public static let defaultDomain: DomainID = "default"
}
