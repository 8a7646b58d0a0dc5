#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)


DOCUMENTATION = r"""
module: plugin_config
short_description: Set the settings of one Mattermost plugin, checked against its manifest
version_added: 0.1.0
description:
  - Manages one plugin's settings, the entry C(PluginSettings.Plugins[<id>]) of the server configuration, through
    C(PUT /api/v4/config/patch).
  - Before anything is sent, every key and value is checked against the C(settings_schema) of the installed plugin's
    manifest (top-level settings and settings in sections). An unknown key, a value of the wrong type, or a
    C(dropdown)/C(radio) value outside the declared options fails with a message naming the setting and what it takes.
  - Keys are compared case-insensitively and written in lower case, as Mattermost stores them.
  - Settings the manifest marks C(secret) are written but never shown in the result, the diff, or at C(-vvv); see
    O(update_secrets) for how they are compared.
  - Mattermost's config patch replaces the whole C(PluginSettings.Plugins) map, so the module sends the complete map,
    the other plugins' entries as read (their secrets masked, which Mattermost reads as "keep") and this one as planned.
  - A run with nothing to change costs two reads, the configuration and the installed plugins' manifests
    (C(GET /api/v4/plugins)), which is where the C(settings_schema) comes from. A change adds one read of
    C(GET /api/v4/config/environment) (a C(MM_PLUGINSETTINGS_PLUGINS) environment variable on the server would win
    over the API, so the module fails instead of reporting a change that does not last) and the write.
author:
  - mmops maintainers (@mmops)
options:
  id:
    description:
      - Plugin id. The plugin must be installed (use M(mmops.mattermost.plugin), which also takes O(settings)).
    type: str
    required: true
  settings:
    description:
      - Setting keys and values, as declared in the plugin manifest's C(settings_schema).
      - V(bool) settings take V(true)/V(false); V(number) settings a number (not a quoted string); V(text),
        V(longtext), V(username) and V(generated) settings a string; V(dropdown) and V(radio) settings one of their
        option values; V(custom) settings (stored by the plugin's own System Console component) any value.
      - The whole option is hidden from logs; once the manifest is read, only the values of secret settings stay hidden
        in the result.
    type: dict
    default: {}
  purge:
    description:
      - Remove the stored settings of this plugin that O(settings) does not list (the plugin then uses its defaults).
    type: bool
    default: false
  update_secrets:
    description:
      - When to send the value of a C(secret) setting. Mattermost never returns a secret (only a mask), so the module
        cannot tell whether the stored value equals the one given.
      - V(on_create) sends it only when the server holds no value for it; a run is then idempotent, but a changed
        secret in the playbook is not noticed. Run once with V(always) to rotate a secret. (A server that shows the
        stored value instead of a mask, such as one older than Mattermost's secret plugin settings, gets it compared
        like any other setting.)
      - V(always) sends every given secret on every run, and the task always reports a change.
    type: str
    choices: [on_create, always]
    default: on_create
extends_documentation_fragment:
  - mmops.mattermost.connection
  - mmops.mattermost.attributes
  - mmops.mattermost.attributes.ACTIONGROUP_API
  - mmops.mattermost.attributes.IN_PROCESS
attributes:
  check_mode:
    details: Reads the configuration, the manifests and (when something would change) the environment overrides; sends no write.
  diff_mode:
    details: >-
      The plugin's settings before and after; secret values appear as C(<secret>), or C(<secret: new value sent>).
notes:
  - Mattermost only masks secrets declared inside C(sections) from version 11 on (PR 35214); on older servers such a
    value is readable through the configuration API by any system admin, whatever this module does.
  - On a high-availability cluster (C(ClusterSettings.Enable)) with C(ClusterSettings.ReadOnlyConfig) true (the
    default), Mattermost's file config store refuses every config save. Before its first write, a run that changes
    settings sends an empty C(PUT /api/v4/config/patch), which such a server refuses as it would the change (elsewhere
    it changes nothing), and fails naming C(ClusterSettings.ReadOnlyConfig) and the way out (the database config store,
    or C(ReadOnlyConfig) false on every node). Not in check mode; a run that changes nothing sends no such request.
seealso:
  - module: mmops.mattermost.plugin
  - module: mmops.mattermost.plugin_settings
"""

EXAMPLES = r"""
- name: Configure the Notes plugin (other stored settings are kept)
  mmops.mattermost.plugin_config:
    id: com.example.notes
    settings:
      NotebookName: Engineering notes
      MaxNotes: 500
      Visibility: everyone

- name: Set its API key once; later runs leave the stored key alone
  mmops.mattermost.plugin_config:
    id: com.example.notes
    settings:
      APIKey: "{{ notes_api_key }}"

- name: Rotate the API key (always sends it, always reports a change)
  mmops.mattermost.plugin_config:
    id: com.example.notes
    settings:
      APIKey: "{{ notes_api_key }}"
    update_secrets: always

- name: Exactly these settings; anything else stored for the plugin is removed
  mmops.mattermost.plugin_config:
    id: com.example.notes
    settings:
      NotebookName: Engineering notes
      EnableSharing: true
    purge: true
"""

RETURN = r"""
settings:
  description: >-
    The plugin's stored settings after the run (predicted in check mode), keys as stored; secret values
    replaced by C(<secret>), or C(<secret: new value sent>) when this run sends one.
  returned: always
  type: dict
  sample: {notebookname: Engineering notes, maxnotes: 500, apikey: "<secret>"}
actions:
  description: What was done (or would be done in check mode).
  returned: always
  type: list
  elements: str
  sample: ["configure com.example.notes: set maxnotes, notebookname"]
diff:
  description: The plugin's settings before and after, secrets masked as in RV(settings).
  returned: in diff mode (C(--diff))
  type: dict
  sample: {before: {maxnotes: 100}, after: {maxnotes: 500}}
status:
  description: HTTP status of a failed Mattermost request.
  returned: on failure of a request
  type: int
  sample: 403
error_id:
  description: Mattermost's error id of a failed request.
  returned: on failure of a request that Mattermost answered with an error body
  type: str
  sample: api.context.permissions.app_error
request:
  description: Method and path of the failed request.
  returned: on failure of a request
  type: str
  sample: PUT /api/v4/config/patch
"""

from ansible_collections.mmops.mattermost.plugins.module_utils._plugin_id import validate_plugin_id
from ansible_collections.mmops.mattermost.plugins.module_utils._client import MattermostClient
from ansible_collections.mmops.mattermost.plugins.module_utils._module import api_spec, run_module
from ansible_collections.mmops.mattermost.plugins.module_utils._plugin_config import UPDATE_SECRETS, configure_plugin

SPEC = api_spec(
    dict(
        id=dict(type='str', required=True),
        # Hidden whole until the manifest says which settings are secret (see configure_plugin).
        settings=dict(type='dict', default={}, no_log=True),
        purge=dict(type='bool', default=False),
        update_secrets=dict(type='str', default='on_create', choices=list(UPDATE_SECRETS)),
    )
)


def run(module):
    params = module.params
    return configure_plugin(
        MattermostClient.from_module(module),
        validate_plugin_id(params['id']),
        params['settings'],
        purge=params['purge'],
        update_secrets=params['update_secrets'],
        check_mode=module.check_mode,
        no_log_values=module.no_log_values,
    )


def main():
    run_module(SPEC, run)


if __name__ == '__main__':
    main()
