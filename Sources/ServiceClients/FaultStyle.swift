/// How a service writes its fault bodies; each OpenStack service has its own shape and clients parse them.
public enum FaultStyle: Sendable {
    /// Keystone: `{"error": {"code": 404, "message": "...", "title": "Not Found"}}`.
    case keystone
    /// Nova: `{"itemNotFound": {"code": 404, "message": "..."}}`, names from nova's fault table.
    case nova
    /// Glance (webob's JSON errors): `{"code": "404 Not Found", "title": "Not Found", "message": "..."}`.
    case glance
    /// Neutron: `{"NeutronError": {"type": "NetworkNotFound", "message": "...", "detail": ""}}`.
    case neutron
}
