import Foundation
public import StratusCore

/// Everything a guest learns about itself from the metadata service or its config drive, rendered once from its
/// instance record: Nova's OpenStack documents under `openstack/<version>/` and the EC2 tree under `<version>/`.
public struct MetadataDocuments: Sendable {
    /// Nova's OpenStack metadata versions; every one serves the same (newest) documents.
    public static let openStackVersions = [
        "2012-08-10", "2013-04-04", "2013-10-17", "2015-10-15", "2016-06-30", "2016-10-06", "2017-02-22", "2018-08-27",
        "2020-10-14", "latest",
    ]
    /// The EC2 versions served: the one EC2 clients (cloud-init) ask for, and `latest`.
    public static let ec2Versions = ["2009-04-04", "latest"]

    /// The metadata service's files: path (no leading `/`) to bytes, e.g. `openstack/latest/meta_data.json`,
    /// `latest/meta-data/instance-id`.
    public let files: [String: [UInt8]]
    /// A config drive's files, as Nova lays them out: `openstack/<version>/...` and `ec2/<version>/meta-data.json`
    /// (the EC2 tree as one JSON document) with `ec2/<version>/user-data`.
    public let configDriveFiles: [String: [UInt8]]
    /// A directory's name in its parent's listing where it is not `name/`: EC2 lists public key 0 as `0=keyname`.
    let listingNames: [String: String]

    /// `networks` adds what the network service knows (MTU, subnets) to the instance's NICs; without it
    /// `network_data.json` has no netmasks, routes or DNS servers.
    public init(for instance: Instance, networks: [NetworkID: NetworkDetails] = [:]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let userData = try Self.decodedUserData(instance)
        var openStack: [String: [UInt8]] = [
            "meta_data.json": Array(try encoder.encode(OpenStackMetaData(instance))),
            "network_data.json": Array(try encoder.encode(OpenStackNetworkData(instance, details: networks))),
            "vendor_data.json": Array("{}".utf8),
            "vendor_data2.json": Array("{}".utf8),
        ]
        openStack["user_data"] = userData
        let ec2 = EC2MetaData.tree(instance)
        let ec2JSON = Array(try encoder.encode(ec2))
        var files: [String: [UInt8]] = [:]
        var drive: [String: [UInt8]] = [:]
        for version in Self.openStackVersions {
            for (name, bytes) in openStack {
                files["openstack/\(version)/\(name)"] = bytes
                drive["openstack/\(version)/\(name)"] = bytes
            }
        }
        var listingNames: [String: String] = [:]
        for version in Self.ec2Versions {
            files.merge(ec2.files(at: "\(version)/meta-data")) { $1 }
            files["\(version)/user-data"] = userData
            drive["ec2/\(version)/meta-data.json"] = ec2JSON
            drive["ec2/\(version)/user-data"] = userData
            if let keyName = instance.keyName { listingNames["\(version)/meta-data/public-keys/0"] = "0=\(keyName)" }
        }
        self.files = files
        self.configDriveFiles = drive
        self.listingNames = listingNames
    }

    /// The instance's user data, decoded; nil when it has none.
    static func decodedUserData(_ instance: Instance) throws -> [UInt8]? {
        guard let encoded = instance.userData else { return nil }
        guard let data = Data(base64Encoded: encoded, options: .ignoreUnknownCharacters) else {
            throw MetadataError.invalidUserData(instance.id)
        }
        return Array(data)
    }
}

public enum MetadataError: Error, CustomStringConvertible {
    case invalidUserData(InstanceID)

    public var description: String {
        switch self {
        case .invalidUserData(let id): "the user data of instance \(id) is not base64"
        }
    }
}
