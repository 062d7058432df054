extension Templates {
    static let launch = """
        <h1>Launch Instance</h1>
        {{#error_form}}<p class="notice error" role="alert" id="launch-error">{{error_form}}</p>{{/error_form}}
        <form method="post" action="/dashboard/project/launch" class="launch">
          <input type="hidden" name="csrf" value="{{csrf}}">
          <fieldset><legend>Details</legend>
            <label>Instance name <input name="name" value="{{name}}" required></label>
            {{#error_name}}<span class="field-error">{{error_name}}</span>{{/error_name}}
            <label>Count <input name="count" type="number" min="1" max="100" value="{{count}}"></label>
            {{#error_count}}<span class="field-error">{{error_count}}</span>{{/error_count}}
            <label>Availability zone <select name="availability_zone"><option value="">Any</option>
              {{#zones}}<option value="{{value}}" {{#selected}}selected{{/selected}}>{{label}}</option>{{/zones}}</select></label>
          </fieldset>
          <fieldset><legend>Source</legend>
            <label><input type="radio" name="source" value="image" {{^sourceVolume}}checked{{/sourceVolume}}> Image</label>
            <label><input type="radio" name="source" value="volume" {{#sourceVolume}}checked{{/sourceVolume}}> Volume</label>
            <label>Image <select name="image"><option value="">Choose an image</option>
              {{#images}}<option value="{{value}}" {{#selected}}selected{{/selected}}>{{label}}</option>{{/images}}</select></label>
            <label>Bootable volume <select name="volume"><option value="">Choose a volume</option>
              {{#volumes}}<option value="{{value}}" {{#selected}}selected{{/selected}}>{{label}}</option>{{/volumes}}</select></label>
            {{#error_source}}<span class="field-error">{{error_source}}</span>{{/error_source}}
          </fieldset>
          <fieldset><legend>Flavor</legend>
            {{#flavors}}<label class="flavor {{^fits}}over{{/fits}}"><input type="radio" name="flavor" value="{{value}}" {{#selected}}checked{{/selected}}>
              <strong>{{label}}</strong> {{detail}} <em>{{leaves}}</em></label>{{/flavors}}
            {{#error_flavor}}<span class="field-error">{{error_flavor}}</span>{{/error_flavor}}
          </fieldset>
          <fieldset><legend>Networks</legend>
            <label><input type="checkbox" name="network" value="auto" {{#networkAuto}}checked{{/networkAuto}}> Automatic (one the cloud picks or makes)</label>
            <label><input type="checkbox" name="network" value="none" {{#networkNone}}checked{{/networkNone}}> None</label>
            {{#networks}}<label><input type="checkbox" name="network" value="{{value}}" {{#selected}}checked{{/selected}}> {{label}}</label>{{/networks}}
          </fieldset>
          <fieldset><legend>Security groups</legend>
            {{#groups}}<label><input type="checkbox" name="security_group" value="{{value}}" {{#selected}}checked{{/selected}}> {{label}}</label>{{/groups}}
          </fieldset>
          <fieldset><legend>Key pair and configuration</legend>
            <label>Key pair <select name="key_name"><option value="">None</option>
              {{#keys}}<option value="{{value}}" {{#selected}}selected{{/selected}}>{{label}}</option>{{/keys}}</select></label>
            <label>Server group <select name="server_group"><option value="">None</option>
              {{#serverGroups}}<option value="{{value}}" {{#selected}}selected{{/selected}}>{{label}}</option>{{/serverGroups}}</select></label>
            <label>User data <textarea name="user_data" rows="5">{{userData}}</textarea></label>
            <label><input type="checkbox" name="config_drive" value="1" {{#configDrive}}checked{{/configDrive}}> Configuration drive</label>
          </fieldset>
          <button type="submit">Launch Instance</button>
        </form>
        """
}
