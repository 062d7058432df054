/// `POST /v3/auth/tokens`: `{"auth": {"identity": {...}, "scope": {...}}}`.
struct AuthRequest: Decodable, Sendable {
    let auth: Auth

    struct Auth: Decodable, Sendable {
        let identity: Identity
        let scope: Scope?
    }

    struct Identity: Decodable, Sendable {
        let methods: [String]
        let password: Password?
        let token: TokenReference?
    }

    struct Password: Decodable, Sendable {
        let user: UserReference
    }

    struct UserReference: Decodable, Sendable {
        let id: String?
        let name: String?
        let domain: Reference?
        let password: String
    }

    struct TokenReference: Decodable, Sendable {
        let id: String
    }

    /// An object named by id, or by name (and, for projects, domain).
    struct Reference: Decodable, Sendable {
        let id: String?
        let name: String?
        let domain: DomainReference?
    }

    struct DomainReference: Decodable, Sendable {
        let id: String?
        let name: String?
    }

    /// `{"project": {...}}`, `{"domain": {...}}`, or the string `"unscoped"`.
    struct Scope: Decodable, Sendable {
        let project: Reference?
        let domain: Reference?
        let system: [String: Bool]?

        init(from decoder: any Decoder) throws {
            if let text = try? decoder.singleValueContainer().decode(String.self) {
                guard text == "unscoped" else {
                    throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not a scope"))
                }
                project = nil
                domain = nil
                system = nil
                return
            }
            let container = try decoder.container(keyedBy: CodingKeys.self)
            project = try container.decodeIfPresent(Reference.self, forKey: .project)
            domain = try container.decodeIfPresent(Reference.self, forKey: .domain)
            system = try container.decodeIfPresent([String: Bool].self, forKey: .system)
        }

        enum CodingKeys: String, CodingKey { case project, domain, system }
    }
}
