import HTTPSupport
import ServiceClients
import StratusCore

/// Who may do what in the identity service: administration needs `admin`; a user may read itself, its
/// projects and its own tokens.
enum IdentityPolicy {
    static func requireAdmin(_ auth: AuthContext, _ action: String) throws {
        guard auth.isAdmin else { throw StratusError.forbidden(Faults.forbidden("identity:\(action)")) }
    }

    static func requireAdminOrSelf(_ auth: AuthContext, user: UserID, _ action: String) throws {
        guard auth.isAdmin || auth.userId == user else { throw StratusError.forbidden(Faults.forbidden("identity:\(action)")) }
    }

    /// Reading a project: admin, or a token scoped to it.
    static func requireAdminOrScoped(_ auth: AuthContext, project: ProjectID, _ action: String) throws {
        guard auth.isAdmin || auth.projectId == project else { throw StratusError.forbidden(Faults.forbidden("identity:\(action)")) }
    }
}
