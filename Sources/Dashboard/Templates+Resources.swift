extension Templates {
    static let resources = """
        <h1>{{title}}</h1>
        {{#back}}<p class="toolbar"><a href="{{link}}">{{label}}</a></p>{{/back}}
        {{#forms}}{{> form}}{{/forms}}
        {{#upload}}
        <form id="image-upload" class="resource-form" method="post" action="/dashboard/project/images/upload" enctype="multipart/form-data">
          <input type="hidden" name="csrf" value="{{csrf}}">
          <label>Name <input name="name" required></label>
          <label>Format <select name="disk_format">{{#formats}}<option value="{{.}}">{{.}}</option>{{/formats}}</select></label>
          <label>File <input type="file" name="file" required></label>
          <button type="submit">Upload Image</button>
          <progress id="upload-progress" max="100" value="0" hidden></progress> <span id="upload-status" role="status"></span>
        </form>
        {{/upload}}
        <table class="resources">
          <thead><tr>{{#columns}}<th>{{.}}</th>{{/columns}}{{#hasActions}}<th>Actions</th>{{/hasActions}}</tr></thead>
          <tbody>
          {{#isEmpty}}<tr><td colspan="{{colspan}}" class="empty">{{empty}}</td></tr>{{/isEmpty}}
          {{#rows}}<tr>
            {{#cells}}<td>{{#link}}<a href="{{link}}">{{text}}</a>{{/link}}{{^link}}{{text}}{{/link}}</td>{{/cells}}
            {{#hasActions}}<td class="row-forms">{{#forms}}{{> form}}{{/forms}}</td>{{/hasActions}}
          </tr>{{/rows}}
          </tbody>
        </table>
        """

    static let form = """
        <form method="post" action="{{action}}" class="resource-form">
          {{#error}}<span class="field-error" role="alert">{{error}}</span>{{/error}}
          <input type="hidden" name="csrf" value="{{csrf}}">
          {{#hidden}}<input type="hidden" name="{{name}}" value="{{value}}">{{/hidden}}
          {{#fields}}
            {{#text}}<label>{{label}} <input type="{{type}}" name="{{name}}" value="{{value}}" {{#required}}required{{/required}} {{#error}}aria-invalid="true"{{/error}}></label>{{/text}}
            {{#textarea}}<label>{{label}} <textarea name="{{name}}" rows="3" {{#required}}required{{/required}} {{#error}}aria-invalid="true"{{/error}}>{{value}}</textarea></label>{{/textarea}}
            {{#select}}<label>{{label}} <select name="{{name}}" {{#error}}aria-invalid="true"{{/error}}>{{#options}}<option value="{{value}}" {{#selected}}selected{{/selected}}>{{label}}</option>{{/options}}</select></label>{{/select}}
            {{#checkbox}}<label><input type="checkbox" name="{{name}}" value="1" {{#checked}}checked{{/checked}}> {{label}}</label>{{/checkbox}}
            {{#error}}<span class="field-error" role="alert" data-field="{{name}}">{{error}}</span>{{/error}}
          {{/fields}}
          <button type="submit" {{#danger}}class="danger"{{/danger}} {{#confirm}}data-confirm="{{confirm}}"{{/confirm}}>{{submit}}</button>
        </form>
        """
}
