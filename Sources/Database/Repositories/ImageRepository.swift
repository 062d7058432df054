import Foundation
import SQLKit
public import StratusCore

/// Image records and their members.
public protocol ImageRepository: Sendable {
    /// Inserts; a duplicate id is a 409.
    func create(_ image: Image) async throws
    func get(_ id: ImageID) async throws -> Image?
    /// Images matching every equality filter on a column (`owner`, `status`, `name`...), ordered by id.
    func list(_ filters: [RecordFilter]) async throws -> [Image]
    /// Replaces the stored record; false when there is none.
    @discardableResult func update(_ image: Image) async throws -> Bool
    /// Moves the status to `to` only if it is one of `from` now; false otherwise (a concurrent change won).
    func transition(_ id: ImageID, from: [Image.Status], to: Image.Status, at time: Timestamp) async throws -> Bool
    @discardableResult func delete(_ id: ImageID) async throws -> Bool

    /// Adds a member; an existing membership is a 409.
    func addMember(_ member: ImageMember) async throws
    func member(_ imageId: ImageID, _ memberId: ProjectID) async throws -> ImageMember?
    func members(of imageId: ImageID) async throws -> [ImageMember]
    /// Every membership of a project, over all images.
    func memberships(of memberId: ProjectID) async throws -> [ImageMember]
    @discardableResult func updateMember(_ member: ImageMember) async throws -> Bool
    @discardableResult func removeMember(_ imageId: ImageID, _ memberId: ProjectID) async throws -> Bool
}

/// An image as a row: tags and properties as JSON text, so both engines store them alike.
struct ImageRow: StoredRecord {
    static let table = "images"
    static let kind = "image"

    var id: ImageID
    var name: String?
    var owner: ProjectID
    var status: Image.Status
    var visibility: Image.Visibility
    var protected: Bool
    var osHidden: Bool
    var diskFormat: String?
    var containerFormat: String?
    var size: Int64?
    var virtualSize: Int64?
    var checksum: String?
    var osHashAlgo: String?
    var osHashValue: String?
    var minDisk: Int
    var minRam: Int
    var createdAt: Timestamp
    var updatedAt: Timestamp
    var tags: String
    var properties: String

    var duplicateDescription: String { "with ID \(id)" }

    init(_ image: Image) throws {
        id = image.id
        name = image.name
        owner = image.owner
        status = image.status
        visibility = image.visibility
        protected = image.protected
        osHidden = image.osHidden
        diskFormat = image.diskFormat
        containerFormat = image.containerFormat
        size = image.size
        virtualSize = image.virtualSize
        checksum = image.checksum
        osHashAlgo = image.osHashAlgo
        osHashValue = image.osHashValue
        minDisk = image.minDisk
        minRam = image.minRam
        createdAt = image.createdAt
        updatedAt = image.updatedAt
        tags = String(decoding: try JSONEncoder().encode(image.tags), as: UTF8.self)
        properties = String(decoding: try JSONEncoder().encode(image.properties), as: UTF8.self)
    }

    func image() throws -> Image {
        Image(
            id: id, name: name, owner: owner, status: status, visibility: visibility, protected: protected, osHidden: osHidden,
            diskFormat: diskFormat, containerFormat: containerFormat, size: size, virtualSize: virtualSize, checksum: checksum,
            osHashAlgo: osHashAlgo, osHashValue: osHashValue, minDisk: minDisk, minRam: minRam, createdAt: createdAt,
            updatedAt: updatedAt, tags: try JSONDecoder().decode([String].self, from: Data(tags.utf8)),
            properties: try JSONDecoder().decode([String: String].self, from: Data(properties.utf8))
        )
    }
}

public struct SQLImageRepository: ImageRepository {
    let executor: any SQLExecutor
    let rows: SQLRecordRepository<ImageRow>

    public init(_ executor: any SQLExecutor) {
        self.executor = executor
        self.rows = SQLRecordRepository(executor)
    }

    public func create(_ image: Image) async throws { try await rows.create(try ImageRow(image)) }

    public func get(_ id: ImageID) async throws -> Image? { try await rows.get(id)?.image() }

    public func list(_ filters: [RecordFilter]) async throws -> [Image] { try await rows.list(filters).map { try $0.image() } }

    public func update(_ image: Image) async throws -> Bool { try await rows.update(try ImageRow(image)) }

    public func transition(_ id: ImageID, from: [Image.Status], to: Image.Status, at time: Timestamp) async throws -> Bool {
        try await rows.transition(id, from: from.map(\.rawValue), to: to.rawValue, at: time)
    }

    public func delete(_ id: ImageID) async throws -> Bool { try await rows.delete(id) }

    public func addMember(_ member: ImageMember) async throws {
        do {
            try await executor.run { db in
                try await db.insert(into: "image_members").model(member, keyEncodingStrategy: ColumnNames.encoding).run()
            }
        } catch DatabaseError.uniqueViolation {
            throw StratusError.conflict("Member \(member.memberId) is already a member of image \(member.imageId).")
        }
    }

    public func member(_ imageId: ImageID, _ memberId: ProjectID) async throws -> ImageMember? {
        try await executor.run { db in
            try await db.select().column("*").from("image_members")
                .where("image_id", .equal, imageId.rawValue).where("member_id", .equal, memberId.rawValue)
                .first(decoding: ImageMember.self, keyDecodingStrategy: ColumnNames.decoding)
        }
    }

    public func members(of imageId: ImageID) async throws -> [ImageMember] {
        try await executor.run { db in
            try await db.select().column("*").from("image_members").where("image_id", .equal, imageId.rawValue)
                .orderBy("created_at").orderBy("member_id")
                .all(decoding: ImageMember.self, keyDecodingStrategy: ColumnNames.decoding)
        }
    }

    public func memberships(of memberId: ProjectID) async throws -> [ImageMember] {
        try await executor.run { db in
            try await db.select().column("*").from("image_members").where("member_id", .equal, memberId.rawValue)
                .all(decoding: ImageMember.self, keyDecodingStrategy: ColumnNames.decoding)
        }
    }

    public func updateMember(_ member: ImageMember) async throws -> Bool {
        try await executor.run { db in
            let changed = try await db.update("image_members")
                .set("status", to: member.status.rawValue)
                .set("updated_at", to: member.updatedAt.rawValue)
                .where("image_id", .equal, member.imageId.rawValue).where("member_id", .equal, member.memberId.rawValue)
                .returning("image_id")
                .all()
            return !changed.isEmpty
        }
    }

    public func removeMember(_ imageId: ImageID, _ memberId: ProjectID) async throws -> Bool {
        try await executor.run { db in
            let removed = try await db.delete(from: "image_members")
                .where("image_id", .equal, imageId.rawValue).where("member_id", .equal, memberId.rawValue)
                .returning("image_id")
                .all()
            return !removed.isEmpty
        }
    }
}

extension SQLExecutor {
    /// The image repository on this executor (the backend, or a transaction).
    public var images: any ImageRepository { SQLImageRepository(self) }
}
