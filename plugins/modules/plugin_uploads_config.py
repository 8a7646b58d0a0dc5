#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)


DOCUMENTATION = r"""
module: plugin_uploads_config
short_description: Turn custom plugin uploads on or off in a Mattermost server's config.json
version_added: 0.1.0
description:
  - Sets C(PluginSettings.EnableUploads) in the C(config.json) file of a Mattermost server, on the server host.
    Mattermost does not let the REST API change this setting, so it has to be changed in the file.
  - Only the bytes of that one value change; the rest of the file (layout, key order, escaping) is kept as it was.
    When the key is missing, the file is written again as Mattermost writes it (4-space indent, same key order).
  - At C(--diff), the diff shows C(PluginSettings.EnableUploads) before and after, never the file (it holds the
    database C(DataSource) with its password).
  - The write is atomic (temporary file in the same directory, then renamed), keeps the file's mode and owner, and
    can leave a backup.
  - Refuses to enable uploads while C(PluginSettings.RequirePluginSignature) is true in the same file, and leaves the
    file untouched then.
  - The server reads the file at start-up; restart it after a change (the C(mmops.mattermost.plugin_uploads) role
    does that, and also handles omnibus and environment-variable installs).
author:
  - mmops maintainers (@mmops)
options:
  path:
    description:
      - The C(config.json) the server reads.
    type: path
    default: /opt/mattermost/config/config.json
  enabled:
    description:
      - V(true) lets system admins upload plugins and install them from a URL; V(false) forbids it.
    type: bool
    required: true
  backup:
    description:
      - Keep a timestamped copy of the file before changing it.
    type: bool
    default: false
extends_documentation_fragment:
  - mmops.mattermost.attributes
attributes:
  platform:
    description: Target OS/families that can be operated against.
    support: full
    platforms: posix
notes:
  - An environment variable C(MM_PLUGINSETTINGS_ENABLEUPLOADS) in the service's environment wins over the file.
seealso:
  - name: Plugin configuration settings
    description: Mattermost's documentation of C(EnableUploads) and C(RequirePluginSignature).
    link: https://docs.mattermost.com/configure/plugins-configuration-settings.html
"""

EXAMPLES = r"""
- name: Allow custom plugin uploads
  mmops.mattermost.plugin_uploads_config:
    path: "{{ mattermost_config_path }}"
    enabled: true
    backup: true

- name: Forbid them again
  mmops.mattermost.plugin_uploads_config:
    path: "{{ mattermost_config_path }}"
    enabled: false
"""

RETURN = r"""
path:
  description: The config file.
  returned: always
  type: str
  sample: /opt/mattermost/config/config.json
enabled:
  description: C(EnableUploads) as it is now (or would be, in check mode).
  returned: always
  type: bool
  sample: true
previous:
  description: C(EnableUploads) before the run; V(false) when the key was missing, as Mattermost's default.
  returned: always
  type: bool
  sample: false
require_plugin_signature:
  description: C(PluginSettings.RequirePluginSignature) in the file.
  returned: always
  type: bool
  sample: false
backup_file:
  description: The backup copy made before the change.
  returned: when O(backup=true) and the file changed
  type: str
  sample: /opt/mattermost/config/config.json.12345.2025-01-01@10:00:00~
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.mmops.mattermost.plugins.module_utils._config_file import DEFAULT_CONFIG_PATH, set_plugin_uploads
from ansible_collections.mmops.mattermost.plugins.module_utils._errors import failing_clearly


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type='path', default=DEFAULT_CONFIG_PATH),
            enabled=dict(type='bool', required=True),
            backup=dict(type='bool', default=False),
        ),
        supports_check_mode=True,
    )
    with failing_clearly(module, path=module.params['path']):
        result = set_plugin_uploads(module, module.params['path'], module.params['enabled'], module.params['backup'])
    module.exit_json(**result)


if __name__ == '__main__':
    main()
