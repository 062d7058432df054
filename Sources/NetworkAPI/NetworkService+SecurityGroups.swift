import Database
import HTTPSupport
import HTTPTypes
import ServiceClients
import StratusCore

extension NetworkService {
    /// Protocol names Neutron accepts besides numbers 0-255.
    static let protocolNames: Set<String> = [
        "ah", "dccp", "egp", "esp", "gre", "hopopt", "icmp", "igmp", "ipip", "ipv6-encap", "ipv6-frag", "ipv6-icmp", "icmpv6",
        "ipv6-nonxt", "ipv6-opts", "ipv6-route", "ospf", "pgm", "rsvp", "sctp", "tcp", "udp", "udplite", "vrrp", "any",
    ]
    /// Protocols whose rules may name a port range.
    static let portProtocols: Set<String> = ["tcp", "udp", "udplite", "sctp", "dccp", "6", "17", "132", "33", "136"]
    static let icmpProtocols: Set<String> = ["icmp", "ipv6-icmp", "icmpv6", "1", "58"]

    /// The project's `default` group, made with Neutron's default rules on first use. A concurrent maker loses on the
    /// `default_security_groups` key and its transaction is retried by the caller.
    static func defaultSecurityGroup(of project: ProjectID, in repository: any NetworkingRepository, at time: Timestamp) async throws -> SecurityGroupID {
        if let existing = try await repository.defaultSecurityGroup(project: project) { return existing }
        let group = SecurityGroup(
            id: .generateUUID(), projectId: project, name: "default", description: "Default security group", createdAt: time, updatedAt: time
        )
        try await repository.createSecurityGroup(group)
        try await repository.setDefaultSecurityGroup(project: project, group: group.id)
        // Egress anywhere; ingress only from members of the group itself.
        for ethertype in [SecurityGroupRule.EtherType.ipv4, .ipv6] {
            for (direction, remote) in [(SecurityGroupRule.Direction.egress, nil), (.ingress, group.id)] {
                try await repository.createRule(SecurityGroupRule(
                    id: .generateUUID(), securityGroupId: group.id, projectId: project, direction: direction, ethertype: ethertype,
                    remoteGroupId: remote, createdAt: time, updatedAt: time
                ))
            }
        }
        return group.id
    }

    /// Makes the project's default group if it has none yet, as Neutron does on the project's first use.
    func ensureDefaultSecurityGroup(project: ProjectID?) async throws {
        guard let project, try await repository.defaultSecurityGroup(project: project) == nil else { return }
        do {
            _ = try await backend.transaction { tx in try await Self.defaultSecurityGroup(of: project, in: tx.networking, at: now) }
        } catch DatabaseError.uniqueViolation {
            // Another request made it first.
        }
    }

    static func visibleGroup(_ id: SecurityGroupID, _ auth: AuthContext, in repository: any NetworkingRepository) async throws -> SecurityGroup {
        guard let group = try await repository.securityGroup(id), owns(group.projectId, auth) else {
            throw NeutronError.notFound(.securityGroup, id.rawValue)
        }
        return group
    }

    func createSecurityGroup(_ request: SecurityGroupRequest, auth: AuthContext) async throws -> SecurityGroup {
        try Self.requireWriter(auth, rule: "create_security_group")
        let owner = try Self.owner(request.projectId, auth)
        if request.name == "default" {
            throw NeutronError.make(.conflict, "SecurityGroupDefaultAlreadyExists", "Default security group already exists.")
        }
        let time = now
        let group = SecurityGroup(
            id: .generateUUID(), projectId: owner, name: request.name ?? "", description: request.description ?? "",
            stateful: request.stateful ?? true, createdAt: time, updatedAt: time
        )
        try await ensureDefaultSecurityGroup(project: owner)
        try await backend.transaction { tx in
            let repository = tx.networking
            try await repository.createSecurityGroup(group)
            // Neutron gives a new group egress-anywhere rules.
            for ethertype in [SecurityGroupRule.EtherType.ipv4, .ipv6] {
                try await repository.createRule(SecurityGroupRule(
                    id: .generateUUID(), securityGroupId: group.id, projectId: owner, direction: .egress, ethertype: ethertype,
                    createdAt: time, updatedAt: time
                ))
            }
        }
        return group
    }

    func securityGroup(_ id: SecurityGroupID, auth: AuthContext) async throws -> SecurityGroup {
        try await Self.visibleGroup(id, auth, in: repository)
    }

    func securityGroups(auth: AuthContext) async throws -> [SecurityGroup] {
        try await ensureDefaultSecurityGroup(project: auth.projectId)
        return try await repository.securityGroups().filter { Self.owns($0.projectId, auth) }
    }

    func updateSecurityGroup(_ id: SecurityGroupID, _ request: SecurityGroupRequest, auth: AuthContext) async throws -> SecurityGroup {
        try await backend.transaction { tx in
            let repository = tx.networking
            var group = try await Self.visibleGroup(id, auth, in: repository)
            try Self.requireOwner(group.projectId, auth, rule: "update_security_group")
            let isDefault = try await repository.defaultSecurityGroup(project: group.projectId) == id
            if isDefault, let name = request.name, name != "default" {
                throw NeutronError.make(.conflict, "SecurityGroupCannotUpdateDefault", "Updating default security group not allowed.")
            }
            if !isDefault, request.name == "default" {
                throw NeutronError.make(.conflict, "SecurityGroupDefaultAlreadyExists", "Default security group already exists.")
            }
            group.name = request.name ?? group.name
            group.description = request.description ?? group.description
            group.stateful = request.stateful ?? group.stateful
            group.updatedAt = now
            group.revisionNumber += 1
            try await repository.updateSecurityGroup(group)
            return group
        }
    }

    /// Refused while ports use it, and for the default group unless admin; rules naming it as remote go with it.
    func deleteSecurityGroup(_ id: SecurityGroupID, auth: AuthContext) async throws {
        try await backend.transaction { tx in
            let repository = tx.networking
            let group = try await Self.visibleGroup(id, auth, in: repository)
            try Self.requireOwner(group.projectId, auth, rule: "delete_security_group")
            if try await repository.defaultSecurityGroup(project: group.projectId) == id, !auth.isAdmin {
                throw NeutronError.make(.conflict, "SecurityGroupCannotRemoveDefault", "Insufficient rights for removing default security group.")
            }
            if try await repository.portCount(usingGroup: id) > 0 {
                throw NeutronError.make(.conflict, "SecurityGroupInUse", "Security Group \(id) in use.")
            }
            try await repository.deleteSecurityGroup(id)
        }
    }

    // MARK: Rules

    func createRule(_ request: RuleRequest, auth: AuthContext) async throws -> SecurityGroupRule {
        try Self.requireWriter(auth, rule: "create_security_group_rule")
        let (proto, minimum, maximum) = try Self.validatedTraffic(request)
        let prefix = try request.remoteIpPrefix.map { text in
            guard let parsed = IPNetwork.parse(withHost: text)?.network else {
                throw NeutronError.invalidAttribute("remote_ip_prefix", "'\(text.prefix(64))' is not a valid IP subnet")
            }
            guard parsed.version == request.ethertype.version else {
                throw NeutronError.make(
                    .badRequest, "SecurityGroupRuleParameterConflict", "Conflicting value ethertype \(request.ethertype.rawValue) for CIDR \(text.prefix(64))"
                )
            }
            return parsed
        }
        if prefix != nil, request.remoteGroupId != nil {
            throw NeutronError.make(
                .badRequest, "SecurityGroupRemoteGroupAndRemoteIpPrefix", "Only remote_ip_prefix or remote_group_id may be provided."
            )
        }
        return try await backend.transaction { tx in
            let repository = tx.networking
            let group = try await Self.visibleGroup(request.securityGroupId, auth, in: repository)
            try Self.requireOwner(group.projectId, auth, rule: "create_security_group_rule")
            if let remote = request.remoteGroupId { _ = try await Self.visibleGroup(remote, auth, in: repository) }
            let time = now
            let rule = SecurityGroupRule(
                id: .generateUUID(), securityGroupId: group.id, projectId: group.projectId, direction: request.direction,
                ethertype: request.ethertype, protocol: proto, portRangeMin: minimum, portRangeMax: maximum, remoteIpPrefix: prefix,
                remoteGroupId: request.remoteGroupId, description: request.description ?? "", createdAt: time, updatedAt: time
            )
            if let existing = try await repository.rules(group: group.id).first(where: { $0.sameTraffic(as: rule) }) {
                throw NeutronError.make(.conflict, "SecurityGroupRuleExists", "Security group rule already exists. Rule id is \(existing.id).")
            }
            try await repository.createRule(rule)
            return rule
        }
    }

    /// The rule's protocol (lowercased; nil for any) and port range, checked as Neutron checks them.
    static func validatedTraffic(_ request: RuleRequest) throws -> (String?, Int?, Int?) {
        var proto = request.protocol?.lowercased()
        if proto == "any" { proto = nil }
        if let name = proto, !protocolNames.contains(name), Int(name).map({ (0...255).contains($0) }) != true {
            throw NeutronError.make(
                .badRequest, "SecurityGroupRuleInvalidProtocol",
                "Security group rule protocol \(name.prefix(32)) not supported. Only protocol values \(protocolNames.sorted()) and integer representations [0 to 255] are supported."
            )
        }
        let (minimum, maximum) = (request.portRangeMin, request.portRangeMax)
        guard minimum != nil || maximum != nil else { return (proto, nil, nil) }
        guard let proto else {
            throw NeutronError.make(.badRequest, "SecurityGroupProtocolRequiredWithPorts", "Must also specify protocol if port range is given.")
        }
        if portProtocols.contains(proto) {
            guard let minimum, let maximum, minimum <= maximum else {
                throw NeutronError.make(.badRequest, "SecurityGroupInvalidPortRange", "For TCP/UDP protocols, port_range_min must be <= port_range_max")
            }
            for port in [minimum, maximum] where !(1...65535).contains(port) {
                throw NeutronError.make(.badRequest, "SecurityGroupInvalidPortValue", "Invalid value for port \(port)")
            }
        } else if icmpProtocols.contains(proto) {
            for (field, attribute, value) in [("type", "port_range_min", minimum), ("code", "port_range_max", maximum)] {
                if let value, !(0...255).contains(value) {
                    throw NeutronError.make(
                        .badRequest, "SecurityGroupInvalidIcmpValue", "Invalid value for ICMP \(field) (\(attribute)) \(value). It must be 0 to 255."
                    )
                }
            }
            if minimum == nil {
                throw NeutronError.make(.badRequest, "SecurityGroupMissingIcmpType", "ICMP code (port-range-max) \(maximum!) is provided but ICMP type (port-range-min) is missing.")
            }
        } else {
            throw NeutronError.make(
                .badRequest, "SecurityGroupInvalidProtocolForPortRange",
                "Invalid protocol \(proto) for port range, only supported for TCP, UDP, UDPLITE, SCTP and DCCP."
            )
        }
        return (proto, minimum, maximum)
    }

    func rule(_ id: SecurityGroupRuleID, auth: AuthContext) async throws -> SecurityGroupRule {
        guard let rule = try await repository.rule(id), Self.owns(rule.projectId, auth) else {
            throw NeutronError.notFound(.securityGroupRule, id.rawValue)
        }
        return rule
    }

    func rules(auth: AuthContext) async throws -> [SecurityGroupRule] {
        try await ensureDefaultSecurityGroup(project: auth.projectId)
        return try await repository.rules(group: nil).filter { Self.owns($0.projectId, auth) }
    }

    func deleteRule(_ id: SecurityGroupRuleID, auth: AuthContext) async throws {
        let rule = try await rule(id, auth: auth)
        try Self.requireOwner(rule.projectId, auth, rule: "delete_security_group_rule")
        try await repository.deleteRule(id)
    }
}
