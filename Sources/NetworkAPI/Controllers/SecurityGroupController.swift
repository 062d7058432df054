import Database
import HTTPSupport
import HTTPTypes
import Hummingbird
import ServiceClients
import StratusCore

/// `/v2.0/security-groups`.
struct SecurityGroupController: Sendable {
    let api: NetworkAPI
    var service: NetworkService { api.service }

    func addRoutes(to group: RouterGroup<StratusRequestContext>) {
        group.post("security-groups", use: create)
        group.get("security-groups", use: list)
        group.get("security-groups/{id}", use: show)
        group.put("security-groups/{id}", use: update)
        group.delete("security-groups/{id}", use: delete)
    }

    static func read(_ attributes: inout Attributes, creating: Bool) throws -> SecurityGroupRequest {
        var request = SecurityGroupRequest()
        if creating { request.projectId = try attributes.projectId() }
        request.name = try attributes.string("name")
        request.description = try attributes.string("description")
        request.stateful = try attributes.bool("stateful")
        try attributes.finish()
        return request
    }

    /// The groups' views with their rules, read in one pass.
    func views(_ groups: [SecurityGroup]) async throws -> [[String: JSONValue]] {
        let rules = Dictionary(grouping: try await service.repository.rules(group: nil), by: \.securityGroupId)
        let defaults = try await service.repository.defaultGroupIds()
        return groups.map { Views.securityGroup($0, rules: rules[$0.id] ?? [], isDefault: defaults.contains($0.id)) }
    }

    @Sendable func create(_ request: Request, context: StratusRequestContext) async throws -> Response {
        var request = request
        var attributes = try await request.attributes("security_group", context: context)
        let group = try await service.createSecurityGroup(try Self.read(&attributes, creating: true), auth: try context.requireAuth())
        return try api.show("security_group", try await views([group])[0], request: request, status: .created)
    }

    @Sendable func list(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let groups = try await service.securityGroups(auth: try context.requireAuth())
        return try api.list(
            "security_groups", try await views(groups), attributes: Views.securityGroupAttributes, request: request, kind: .securityGroup
        )
    }

    @Sendable func show(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let group = try await service.securityGroup(SecurityGroupID(try context.parameters.require("id")), auth: try context.requireAuth())
        return try api.show("security_group", try await views([group])[0], request: request)
    }

    @Sendable func update(_ request: Request, context: StratusRequestContext) async throws -> Response {
        var request = request
        var attributes = try await request.attributes("security_group", context: context)
        let id = SecurityGroupID(try context.parameters.require("id"))
        let group = try await service.updateSecurityGroup(id, try Self.read(&attributes, creating: false), auth: try context.requireAuth())
        return try api.show("security_group", try await views([group])[0], request: request)
    }

    @Sendable func delete(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try await service.deleteSecurityGroup(SecurityGroupID(try context.parameters.require("id")), auth: try context.requireAuth())
        return JSONResponse.empty()
    }
}

/// `/v2.0/security-group-rules`: rules are created and deleted, never updated.
struct SecurityGroupRuleController: Sendable {
    let api: NetworkAPI
    var service: NetworkService { api.service }

    func addRoutes(to group: RouterGroup<StratusRequestContext>) {
        group.post("security-group-rules", use: create)
        group.get("security-group-rules", use: list)
        group.get("security-group-rules/{id}", use: show)
        group.delete("security-group-rules/{id}", use: delete)
    }

    static func read(_ attributes: inout Attributes) throws -> RuleRequest {
        let projectId = try attributes.projectId()
        guard let group = try attributes.string("security_group_id") else {
            throw NeutronError.invalidAttribute("security_group_id", "'security_group_id' is required")
        }
        guard let directionText = try attributes.string("direction"), let direction = SecurityGroupRule.Direction(rawValue: directionText) else {
            throw NeutronError.invalidAttribute("direction", "'direction' must be one of ['ingress', 'egress']")
        }
        let ethertypeText = try attributes.string("ethertype") ?? "IPv4"
        guard let ethertype = SecurityGroupRule.EtherType(rawValue: ethertypeText) else {
            throw NeutronError.invalidAttribute("ethertype", "'\(ethertypeText.prefix(32))' is not in ['IPv4', 'IPv6']")
        }
        var proto: String?
        switch attributes.raw("protocol") {
        case .string(let text)?: proto = text
        case .number(let number)? where number.rounded() == number: proto = String(Int(number))
        case nil, .null?: proto = nil
        case let other?: throw NeutronError.invalidAttribute("protocol", "\(other.shownInMessage) is not a valid protocol")
        }
        let request = RuleRequest(
            securityGroupId: SecurityGroupID(group), projectId: projectId, direction: direction, ethertype: ethertype, protocol: proto,
            portRangeMin: try attributes.int("port_range_min", in: -1...65535) ?? nil,
            portRangeMax: try attributes.int("port_range_max", in: -1...65535) ?? nil,
            remoteIpPrefix: try attributes.nullableString("remote_ip_prefix") ?? nil,
            remoteGroupId: (try attributes.nullableString("remote_group_id") ?? nil).map { SecurityGroupID($0) },
            description: try attributes.string("description")
        )
        attributes.ignore("remote_address_group_id")
        try attributes.finish()
        return request
    }

    @Sendable func create(_ request: Request, context: StratusRequestContext) async throws -> Response {
        var request = request
        var attributes = try await request.attributes("security_group_rule", context: context)
        let rule = try await service.createRule(try Self.read(&attributes), auth: try context.requireAuth())
        let isDefault = try await service.repository.defaultGroupIds().contains(rule.securityGroupId)
        return try api.show("security_group_rule", Views.rule(rule, inDefaultGroup: isDefault), request: request, status: .created)
    }

    @Sendable func list(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let rules = try await service.rules(auth: try context.requireAuth())
        let defaults = try await service.repository.defaultGroupIds()
        return try api.list(
            "security_group_rules", rules.map { Views.rule($0, inDefaultGroup: defaults.contains($0.securityGroupId)) },
            attributes: Views.ruleAttributes, request: request, kind: .securityGroupRule
        )
    }

    @Sendable func show(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let rule = try await service.rule(SecurityGroupRuleID(try context.parameters.require("id")), auth: try context.requireAuth())
        let isDefault = try await service.repository.defaultGroupIds().contains(rule.securityGroupId)
        return try api.show("security_group_rule", Views.rule(rule, inDefaultGroup: isDefault), request: request)
    }

    @Sendable func delete(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try await service.deleteRule(SecurityGroupRuleID(try context.parameters.require("id")), auth: try context.requireAuth())
        return JSONResponse.empty()
    }
}
