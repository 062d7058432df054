/// A list page of one kind of resource (key pairs, volumes, networks, flavors, …): forms above the table (create),
/// the table, and each row's forms (an action, with the inputs it needs). Every such page renders with the one
/// `resources` template.
struct ResourcePage {
    struct Field {
        var name: String
        var label: String
        /// `text`, `number`, `password`, `textarea`, `select` or `checkbox`.
        var type = "text"
        var value = ""
        var options: [(value: String, label: String)] = []
        var required = false
    }

    struct Form {
        var action: String
        var submit: String
        var fields: [Field] = []
        var hidden: [(name: String, value: String)] = []
        var confirm: String?
        var danger = false
    }

    struct Cell {
        var text: String
        var link: String?
    }

    struct Row {
        var cells: [Cell]
        var forms: [Form] = []
    }

    var title: String
    var section: String
    var columns: [String]
    var rows: [Row]
    var forms: [Form] = []
    var empty = "Nothing yet."
    var back: (label: String, link: String)?
    /// The image upload form (the page's script sends the file), with these disk formats; nil for none.
    var upload: [String]?

    /// Whether the page has the form a refusal came from (then it shows the refusal next to the field).
    func shows(_ refusal: DashboardSession.Refusal) -> Bool {
        (forms + rows.flatMap(\.forms)).contains { $0.action == refusal.action }
    }

    /// The template's context; the form `refusal` came from is filled with what was typed, with the message next to
    /// its field. A value the template tests with a section is left out when there is none: swift-mustache takes an
    /// `Optional.none` inside `Any` for a value.
    func context(csrf: String, refusal: DashboardSession.Refusal? = nil) -> [String: Any] {
        func form(_ form: Form) -> [String: Any] {
            let refused = refusal.flatMap { $0.action == form.action ? $0 : nil }
            var context: [String: Any] = [
                "action": form.action, "submit": form.submit, "csrf": csrf, "danger": form.danger,
                "hidden": form.hidden.map { ["name": $0.name, "value": $0.value] },
                "fields": form.fields.map { field -> [String: Any] in
                    let value = refused?.values[field.name] ?? field.value
                    var context: [String: Any] = [
                        "name": field.name, "label": field.label, "value": value, "required": field.required,
                        "text": ["text", "number", "password"].contains(field.type), "type": field.type, "textarea": field.type == "textarea",
                        "select": field.type == "select", "checkbox": field.type == "checkbox", "checked": field.type == "checkbox" && value == "1",
                        "options": field.options.map { ["value": $0.value, "label": $0.label, "selected": $0.value == value] },
                    ]
                    if let refused, refused.field == field.name { context["error"] = refused.message }
                    return context
                },
            ]
            if let refused, !form.fields.contains(where: { $0.name == refused.field }) { context["error"] = refused.message }
            if let confirm = form.confirm { context["confirm"] = confirm }
            return context
        }
        var context: [String: Any] = [
            "title": title, "columns": columns, "forms": forms.map(form), "empty": empty, "isEmpty": rows.isEmpty,
            "hasActions": rows.contains { !$0.forms.isEmpty }, "colspan": columns.count + 1,
            "rows": rows.map { row in
                ["cells": row.cells.map { cell in cell.link.map { ["text": cell.text, "link": $0] } ?? ["text": cell.text] }, "forms": row.forms.map(form)]
                    as [String: Any]
            },
        ]
        if let back { context["back"] = ["label": back.label, "link": back.link] }
        if let upload { context["upload"] = ["csrf": csrf, "formats": upload] }
        return context
    }
}
