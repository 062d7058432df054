import Foundation
import SQLKit
public import StratusCore

/// Neutron's records: networks, subnets, ports (with their addresses and groups), security groups and rules,
/// and auto-allocated topologies.
///
/// Lists return every record of a kind (or of one network or device): the API filters by policy and query.
public protocol NetworkingRepository: Sendable {
    func createNetwork(_ network: Network) async throws
    func network(_ id: NetworkID) async throws -> Network?
    func networks() async throws -> [Network]
    func updateNetwork(_ network: Network) async throws
    func deleteNetwork(_ id: NetworkID) async throws

    func createSubnet(_ subnet: Subnet) async throws
    func subnet(_ id: SubnetID) async throws -> Subnet?
    /// Every subnet, or only those of `network`.
    func subnets(network: NetworkID?) async throws -> [Subnet]
    func updateSubnet(_ subnet: Subnet) async throws
    func deleteSubnet(_ id: SubnetID) async throws

    /// Inserts the port with its fixed IPs and groups. An address or MAC already taken is `DatabaseError.uniqueViolation`.
    func createPort(_ port: NetworkPort) async throws
    func port(_ id: PortID) async throws -> NetworkPort?
    /// Every port, or those on `network`, or those of `deviceId`.
    func ports(network: NetworkID?, deviceId: String?) async throws -> [NetworkPort]
    /// Replaces the port's row, fixed IPs and groups.
    func updatePort(_ port: NetworkPort) async throws
    func deletePort(_ id: PortID) async throws
    /// The addresses taken on `subnet`.
    func allocatedAddresses(subnet: SubnetID) async throws -> Set<IPAddress>
    func macAddressInUse(_ mac: String) async throws -> Bool
    /// How many ports use `group`.
    func portCount(usingGroup group: SecurityGroupID) async throws -> Int

    func createSecurityGroup(_ group: SecurityGroup) async throws
    func securityGroup(_ id: SecurityGroupID) async throws -> SecurityGroup?
    func securityGroups() async throws -> [SecurityGroup]
    func updateSecurityGroup(_ group: SecurityGroup) async throws
    func deleteSecurityGroup(_ id: SecurityGroupID) async throws
    /// The project's `default` group, if made.
    func defaultSecurityGroup(project: ProjectID) async throws -> SecurityGroupID?
    /// Records `group` as the project's default; `DatabaseError.uniqueViolation` when it already has one.
    func setDefaultSecurityGroup(project: ProjectID, group: SecurityGroupID) async throws
    /// Every project's default group.
    func defaultGroupIds() async throws -> Set<SecurityGroupID>

    func createRule(_ rule: SecurityGroupRule) async throws
    func rule(_ id: SecurityGroupRuleID) async throws -> SecurityGroupRule?
    /// Every rule, or those of `group`.
    func rules(group: SecurityGroupID?) async throws -> [SecurityGroupRule]
    func deleteRule(_ id: SecurityGroupRuleID) async throws

    func autoAllocatedTopology(project: ProjectID) async throws -> AutoAllocatedTopology?
    func autoAllocatedTopologies() async throws -> [AutoAllocatedTopology]
    /// Records the topology; `DatabaseError.uniqueViolation` when the project has one or the block is taken.
    func createAutoAllocatedTopology(_ topology: AutoAllocatedTopology) async throws
    func deleteAutoAllocatedTopology(project: ProjectID) async throws
}

extension Network: StoredRecord {
    public static let table = "networks"
    public static let kind = "network"
    public var duplicateDescription: String { "with ID \(id)" }
}

extension SecurityGroup: StoredRecord {
    public static let table = "security_groups"
    public static let kind = "security group"
    public var duplicateDescription: String { "with ID \(id)" }
}

/// A stored text that does not parse is a corrupt row, never a client error.
struct CorruptRow: Error, CustomStringConvertible {
    let description: String
}

private func parsed<T>(_ value: T?, _ text: String, _ what: String) throws -> T {
    guard let value else { throw CorruptRow(description: "stored \(what) '\(text)' does not parse") }
    return value
}

struct SubnetRow: StoredRecord {
    static let table = "subnets"
    static let kind = "subnet"

    var id: SubnetID
    var networkId: NetworkID
    var projectId: ProjectID
    var name: String
    var description: String
    var cidr: String
    var gatewayIp: String?
    var enableDhcp: Bool
    var allocationPools: String
    var dnsNameservers: String
    var hostRoutes: String
    var ipv6RaMode: String?
    var ipv6AddressMode: String?
    var createdAt: Timestamp
    var updatedAt: Timestamp
    var revisionNumber: Int

    var duplicateDescription: String { "with ID \(id)" }

    init(_ subnet: Subnet) throws {
        id = subnet.id
        networkId = subnet.networkId
        projectId = subnet.projectId
        name = subnet.name
        description = subnet.description
        cidr = subnet.cidr.description
        gatewayIp = subnet.gatewayIp?.description
        enableDhcp = subnet.enableDhcp
        allocationPools = try JSONColumn.encode(subnet.allocationPools)
        dnsNameservers = try JSONColumn.encode(subnet.dnsNameservers)
        hostRoutes = try JSONColumn.encode(subnet.hostRoutes)
        ipv6RaMode = subnet.ipv6RaMode
        ipv6AddressMode = subnet.ipv6AddressMode
        createdAt = subnet.createdAt
        updatedAt = subnet.updatedAt
        revisionNumber = subnet.revisionNumber
    }

    func subnet() throws -> Subnet {
        Subnet(
            id: id, networkId: networkId, projectId: projectId, name: name, description: description,
            cidr: try parsed(IPNetwork(cidr), cidr, "cidr"),
            gatewayIp: try gatewayIp.map { try parsed(IPAddress($0), $0, "gateway") }, enableDhcp: enableDhcp,
            allocationPools: try JSONColumn.decode([Subnet.AllocationPool].self, allocationPools),
            dnsNameservers: try JSONColumn.decode([IPAddress].self, dnsNameservers),
            hostRoutes: try JSONColumn.decode([Subnet.HostRoute].self, hostRoutes), ipv6RaMode: ipv6RaMode,
            ipv6AddressMode: ipv6AddressMode, createdAt: createdAt, updatedAt: updatedAt, revisionNumber: revisionNumber
        )
    }
}

/// A port's own columns; its fixed IPs and groups live in `ip_allocations` and `port_security_groups`.
struct PortRow: StoredRecord {
    static let table = "ports"
    static let kind = "port"

    var id: PortID
    var networkId: NetworkID
    var projectId: ProjectID
    var name: String
    var description: String
    var adminStateUp: Bool
    var macAddress: String
    var deviceId: String
    var deviceOwner: String
    var bindingHostId: String
    var portSecurityEnabled: Bool
    var createdAt: Timestamp
    var updatedAt: Timestamp
    var revisionNumber: Int

    var duplicateDescription: String { "with ID \(id)" }

    init(_ port: NetworkPort) {
        id = port.id
        networkId = port.networkId
        projectId = port.projectId
        name = port.name
        description = port.description
        adminStateUp = port.adminStateUp
        macAddress = port.macAddress
        deviceId = port.deviceId
        deviceOwner = port.deviceOwner
        bindingHostId = port.bindingHostId
        portSecurityEnabled = port.portSecurityEnabled
        createdAt = port.createdAt
        updatedAt = port.updatedAt
        revisionNumber = port.revisionNumber
    }

    func port(fixedIps: [FixedIP], securityGroups: [SecurityGroupID]) -> NetworkPort {
        NetworkPort(
            id: id, networkId: networkId, projectId: projectId, name: name, description: description, adminStateUp: adminStateUp,
            macAddress: macAddress, deviceId: deviceId, deviceOwner: deviceOwner, bindingHostId: bindingHostId,
            portSecurityEnabled: portSecurityEnabled, fixedIps: fixedIps, securityGroups: securityGroups, createdAt: createdAt,
            updatedAt: updatedAt, revisionNumber: revisionNumber
        )
    }
}

struct IPAllocationRow: Codable {
    var subnetId: SubnetID
    var ipAddress: String
    var portId: PortID
    var position: Int
}

struct PortGroupRow: Codable {
    var portId: PortID
    var securityGroupId: SecurityGroupID
    var position: Int
}

struct RuleRow: StoredRecord {
    static let table = "security_group_rules"
    static let kind = "security group rule"

    var id: SecurityGroupRuleID
    var securityGroupId: SecurityGroupID
    var projectId: ProjectID
    var direction: SecurityGroupRule.Direction
    var ethertype: SecurityGroupRule.EtherType
    var `protocol`: String?
    var portRangeMin: Int?
    var portRangeMax: Int?
    var remoteIpPrefix: String?
    var remoteGroupId: SecurityGroupID?
    var description: String
    var createdAt: Timestamp
    var updatedAt: Timestamp
    var revisionNumber: Int

    var duplicateDescription: String { "with ID \(id)" }

    init(_ rule: SecurityGroupRule) {
        id = rule.id
        securityGroupId = rule.securityGroupId
        projectId = rule.projectId
        direction = rule.direction
        ethertype = rule.ethertype
        `protocol` = rule.protocol
        portRangeMin = rule.portRangeMin
        portRangeMax = rule.portRangeMax
        remoteIpPrefix = rule.remoteIpPrefix?.description
        remoteGroupId = rule.remoteGroupId
        description = rule.description
        createdAt = rule.createdAt
        updatedAt = rule.updatedAt
        revisionNumber = rule.revisionNumber
    }

    func rule() throws -> SecurityGroupRule {
        SecurityGroupRule(
            id: id, securityGroupId: securityGroupId, projectId: projectId, direction: direction, ethertype: ethertype,
            protocol: `protocol`, portRangeMin: portRangeMin, portRangeMax: portRangeMax,
            remoteIpPrefix: try remoteIpPrefix.map { try parsed(IPNetwork($0), $0, "remote_ip_prefix") },
            remoteGroupId: remoteGroupId, description: description, createdAt: createdAt, updatedAt: updatedAt,
            revisionNumber: revisionNumber
        )
    }
}

struct TopologyRow: Codable {
    var projectId: ProjectID
    var networkId: NetworkID
    var cidr: String

    func topology() throws -> AutoAllocatedTopology {
        AutoAllocatedTopology(projectId: projectId, networkId: networkId, cidr: try parsed(IPNetwork(cidr), cidr, "cidr"))
    }
}

struct DefaultGroupRow: Codable {
    var projectId: ProjectID
    var securityGroupId: SecurityGroupID
}

public struct SQLNetworkingRepository: NetworkingRepository {
    let executor: any SQLExecutor

    public init(_ executor: any SQLExecutor) {
        self.executor = executor
    }

    private var networkRows: SQLRecordRepository<Network> { SQLRecordRepository(executor) }
    private var subnetRows: SQLRecordRepository<SubnetRow> { SQLRecordRepository(executor) }
    private var portRows: SQLRecordRepository<PortRow> { SQLRecordRepository(executor) }
    private var groupRows: SQLRecordRepository<SecurityGroup> { SQLRecordRepository(executor) }
    private var ruleRows: SQLRecordRepository<RuleRow> { SQLRecordRepository(executor) }

    public func createNetwork(_ network: Network) async throws { try await networkRows.create(network) }
    public func network(_ id: NetworkID) async throws -> Network? { try await networkRows.get(id) }
    public func networks() async throws -> [Network] { try await networkRows.list([]) }
    public func updateNetwork(_ network: Network) async throws { _ = try await networkRows.update(network) }
    public func deleteNetwork(_ id: NetworkID) async throws { _ = try await networkRows.delete(id) }

    public func createSubnet(_ subnet: Subnet) async throws { try await subnetRows.create(try SubnetRow(subnet)) }
    public func subnet(_ id: SubnetID) async throws -> Subnet? { try await subnetRows.get(id)?.subnet() }

    public func subnets(network: NetworkID?) async throws -> [Subnet] {
        try await subnetRows.list(network.map { [RecordFilter("network_id", $0.rawValue)] } ?? []).map { try $0.subnet() }
    }

    public func updateSubnet(_ subnet: Subnet) async throws { _ = try await subnetRows.update(try SubnetRow(subnet)) }
    public func deleteSubnet(_ id: SubnetID) async throws { _ = try await subnetRows.delete(id) }

    public func createPort(_ port: NetworkPort) async throws {
        try await executor.atomically { tx in try await tx.run { db in
            try await db.insert(into: PortRow.table).model(PortRow(port), keyEncodingStrategy: ColumnNames.encoding, nilEncodingStrategy: .asNil).run()
            try await Self.insertChildren(of: port, db: db)
        } }
    }

    /// The port's fixed IPs and groups, in their order.
    private static func insertChildren(of port: NetworkPort, db: any SQLDatabase) async throws {
        let allocations = port.fixedIps.enumerated().map {
            IPAllocationRow(subnetId: $1.subnetId, ipAddress: $1.ipAddress.description, portId: port.id, position: $0)
        }
        if !allocations.isEmpty {
            try await db.insert(into: "ip_allocations").models(allocations, keyEncodingStrategy: ColumnNames.encoding, nilEncodingStrategy: .asNil).run()
        }
        let groups = port.securityGroups.enumerated().map { PortGroupRow(portId: port.id, securityGroupId: $1, position: $0) }
        if !groups.isEmpty {
            try await db.insert(into: "port_security_groups").models(groups, keyEncodingStrategy: ColumnNames.encoding, nilEncodingStrategy: .asNil).run()
        }
    }

    public func port(_ id: PortID) async throws -> NetworkPort? {
        try await executor.run { db in
            let rows = try await db.select().column("*").from(PortRow.table).where("id", .equal, id.rawValue)
                .all(decoding: PortRow.self, keyDecodingStrategy: ColumnNames.decoding)
            return try await Self.assemble(rows, db: db).first
        }
    }

    public func ports(network: NetworkID?, deviceId: String?) async throws -> [NetworkPort] {
        try await executor.run { db in
            let query = db.select().column("*").from(PortRow.table)
            if let network { query.where("network_id", .equal, network.rawValue) }
            if let deviceId { query.where("device_id", .equal, deviceId) }
            let rows = try await query.orderBy("id").all(decoding: PortRow.self, keyDecodingStrategy: ColumnNames.decoding)
            return try await Self.assemble(rows, db: db)
        }
    }

    /// Ports from their rows plus their allocations and groups, read in two statements.
    private static func assemble(_ rows: [PortRow], db: any SQLDatabase) async throws -> [NetworkPort] {
        guard !rows.isEmpty else { return [] }
        let ids = rows.map(\.id.rawValue)
        let allocations = try await db.select().column("*").from("ip_allocations").where("port_id", .in, ids)
            .orderBy("position").all(decoding: IPAllocationRow.self, keyDecodingStrategy: ColumnNames.decoding)
        let groups = try await db.select().column("*").from("port_security_groups").where("port_id", .in, ids)
            .orderBy("position").all(decoding: PortGroupRow.self, keyDecodingStrategy: ColumnNames.decoding)
        var fixedIps: [PortID: [FixedIP]] = [:]
        for allocation in allocations {
            let address = try parsed(IPAddress(allocation.ipAddress), allocation.ipAddress, "ip_address")
            fixedIps[allocation.portId, default: []].append(FixedIP(subnetId: allocation.subnetId, ipAddress: address))
        }
        let portGroups = Dictionary(grouping: groups, by: \.portId)
        return rows.map { row in
            row.port(fixedIps: fixedIps[row.id] ?? [], securityGroups: portGroups[row.id]?.map(\.securityGroupId) ?? [])
        }
    }

    public func updatePort(_ port: NetworkPort) async throws {
        try await executor.atomically { tx in try await tx.run { db in
            try await db.update(PortRow.table).set(model: PortRow(port), keyEncodingStrategy: ColumnNames.encoding, nilEncodingStrategy: .asNil)
                .where("id", .equal, port.id.rawValue).run()
            try await db.delete(from: "ip_allocations").where("port_id", .equal, port.id.rawValue).run()
            try await db.delete(from: "port_security_groups").where("port_id", .equal, port.id.rawValue).run()
            try await Self.insertChildren(of: port, db: db)
        } }
    }

    public func deletePort(_ id: PortID) async throws { _ = try await portRows.delete(id) }

    public func allocatedAddresses(subnet: SubnetID) async throws -> Set<IPAddress> {
        try await executor.run { db in
            let rows = try await db.select().column("ip_address").from("ip_allocations").where("subnet_id", .equal, subnet.rawValue)
                .all(decodingColumn: "ip_address", as: String.self)
            return Set(try rows.map { try parsed(IPAddress($0), $0, "ip_address") })
        }
    }

    public func macAddressInUse(_ mac: String) async throws -> Bool {
        try await executor.run { db in
            try await db.select().column("id").from(PortRow.table).where("mac_address", .equal, mac).first() != nil
        }
    }

    public func portCount(usingGroup group: SecurityGroupID) async throws -> Int {
        try await executor.run { db in
            try await db.select().column(SQLFunction("count", args: SQLLiteral.all), as: "count").from("port_security_groups")
                .where("security_group_id", .equal, group.rawValue)
                .first(decodingColumn: "count", as: Int.self) ?? 0
        }
    }

    public func createSecurityGroup(_ group: SecurityGroup) async throws { try await groupRows.create(group) }
    public func securityGroup(_ id: SecurityGroupID) async throws -> SecurityGroup? { try await groupRows.get(id) }
    public func securityGroups() async throws -> [SecurityGroup] { try await groupRows.list([]) }
    public func updateSecurityGroup(_ group: SecurityGroup) async throws { _ = try await groupRows.update(group) }
    public func deleteSecurityGroup(_ id: SecurityGroupID) async throws { _ = try await groupRows.delete(id) }

    public func defaultSecurityGroup(project: ProjectID) async throws -> SecurityGroupID? {
        try await executor.run { db in
            try await db.select().column("security_group_id").from("default_security_groups")
                .where("project_id", .equal, project.rawValue)
                .first(decodingColumn: "security_group_id", as: SecurityGroupID.self)
        }
    }

    public func setDefaultSecurityGroup(project: ProjectID, group: SecurityGroupID) async throws {
        try await executor.run { db in
            try await db.insert(into: "default_security_groups")
                .model(DefaultGroupRow(projectId: project, securityGroupId: group), keyEncodingStrategy: ColumnNames.encoding, nilEncodingStrategy: .asNil).run()
        }
    }

    public func defaultGroupIds() async throws -> Set<SecurityGroupID> {
        try await executor.run { db in
            Set(try await db.select().column("security_group_id").from("default_security_groups")
                .all(decodingColumn: "security_group_id", as: SecurityGroupID.self))
        }
    }

    public func createRule(_ rule: SecurityGroupRule) async throws { try await ruleRows.create(RuleRow(rule)) }
    public func rule(_ id: SecurityGroupRuleID) async throws -> SecurityGroupRule? { try await ruleRows.get(id)?.rule() }

    public func rules(group: SecurityGroupID?) async throws -> [SecurityGroupRule] {
        try await ruleRows.list(group.map { [RecordFilter("security_group_id", $0.rawValue)] } ?? []).map { try $0.rule() }
    }

    public func deleteRule(_ id: SecurityGroupRuleID) async throws { _ = try await ruleRows.delete(id) }

    public func autoAllocatedTopology(project: ProjectID) async throws -> AutoAllocatedTopology? {
        try await executor.run { db in
            try await db.select().column("*").from("auto_allocated_topologies").where("project_id", .equal, project.rawValue)
                .first(decoding: TopologyRow.self, keyDecodingStrategy: ColumnNames.decoding)?.topology()
        }
    }

    public func autoAllocatedTopologies() async throws -> [AutoAllocatedTopology] {
        try await executor.run { db in
            try await db.select().column("*").from("auto_allocated_topologies")
                .all(decoding: TopologyRow.self, keyDecodingStrategy: ColumnNames.decoding).map { try $0.topology() }
        }
    }

    public func createAutoAllocatedTopology(_ topology: AutoAllocatedTopology) async throws {
        try await executor.run { db in
            let row = TopologyRow(projectId: topology.projectId, networkId: topology.networkId, cidr: topology.cidr.description)
            try await db.insert(into: "auto_allocated_topologies").model(row, keyEncodingStrategy: ColumnNames.encoding, nilEncodingStrategy: .asNil).run()
        }
    }

    public func deleteAutoAllocatedTopology(project: ProjectID) async throws {
        try await executor.run { db in
            try await db.delete(from: "auto_allocated_topologies").where("project_id", .equal, project.rawValue).run()
        }
    }
}

extension SQLExecutor {
    /// The networking repository on this executor (the backend, or a transaction).
    public var networking: any NetworkingRepository { SQLNetworkingRepository(self) }
}
