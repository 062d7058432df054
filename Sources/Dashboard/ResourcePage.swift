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

    /// The template's context. A value the template tests with a section is left out when there is none: swift-mustache
    /// takes an `Optional.none` inside `Any` for a value.
    func context(csrf: String) -> [String: Any] {
        func form(_ form: Form) -> [String: Any] {
            var context: [String: Any] = [
                "action": form.action, "submit": form.submit, "csrf": csrf, "danger": form.danger,
                "hidden": form.hidden.map { ["name": $0.name, "value": $0.value] },
                "fields": form.fields.map { field -> [String: Any] in
                    [
                        "name": field.name, "label": field.label, "value": field.value, "required": field.required,
                        "text": ["text", "number", "password"].contains(field.type), "type": field.type, "textarea": field.type == "textarea",
                        "select": field.type == "select", "checkbox": field.type == "checkbox",
                        "options": field.options.map { ["value": $0.value, "label": $0.label, "selected": $0.value == field.value] },
                    ]
                },
            ]
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
