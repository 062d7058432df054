public import Hummingbird
import ServiceClients
import StratusCore

extension Router where Context == StratusRequestContext {
    /// For every path with routes, answers the standard methods it lacks with 405 instead of 404.
    /// Call once, after every route is added.
    public func addMethodNotAllowedRoutes() {
        let standard: [HTTPRequest.Method] = [.get, .post, .put, .patch, .delete]
        var methodsByPath: [String: (path: RouterPath, methods: Set<HTTPRequest.Method>)] = [:]
        for route in routes {
            methodsByPath[route.path.description, default: (route.path, [])].methods.insert(route.method)
        }
        for (_, entry) in methodsByPath {
            let allowed = entry.methods.map(\.rawValue).sorted().joined(separator: ", ")
            for method in standard where !entry.methods.contains(method) {
                on(entry.path, method: method) { _, _ -> Response in
                    throw StratusError.methodNotAllowed("The method is not allowed for the requested URL. Allowed: \(allowed).")
                }
            }
        }
    }
}
