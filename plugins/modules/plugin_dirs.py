#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)


DOCUMENTATION = r"""
module: plugin_dirs
short_description: Make the plugin directories of a Mattermost server, owned by the service user, safely
version_added: 0.2.0
description:
  - Makes sure the server-side plugin directory (C(PluginSettings.Directory), default C(./plugins)) and the webapp
    plugin directory (C(PluginSettings.ClientDirectory), default C(./client/plugins)) exist, owned by the service user
    with O(mode). Relative paths are taken from O(install_dir), the service's working directory.
  - The two values are read from O(config_path) unless given; nothing else of that file is returned or shown.
  - Root acts only on a path below O(install_dir) or below a directory of O(allowed), which this module checks after
    resolving C(.) and C(..); it never follows a symbolic link below those (a link is refused, also one swapped in during
    the run), and changes owner and mode of the two plugin directories and of directories it creates only, never of an
    existing parent.
  - The C(mmops.mattermost.plugin_dirs) role wraps this module.
author:
  - mmops maintainers (@mmops)
options:
  install_dir:
    description: The working directory of the service, base of relative plugin paths.
    type: path
    default: /opt/mattermost
  config_path:
    description: The C(config.json) to read the plugin paths from; a missing file means Mattermost's defaults.
    type: path
    default: /opt/mattermost/config/config.json
  directory:
    description: The server-side plugin directory; empty takes C(PluginSettings.Directory) from O(config_path).
    type: str
    default: ""
  client_directory:
    description: The webapp plugin directory; empty takes C(PluginSettings.ClientDirectory) from O(config_path).
    type: str
    default: ""
  allowed:
    description:
      - Directories besides O(install_dir) that plugin directories may lie below (absolute paths). The directories
        themselves are not changed.
    type: list
    elements: path
    default: []
  owner:
    description: The user the Mattermost service runs as.
    type: str
    default: mattermost
  group:
    description: The group of the Mattermost service.
    type: str
    default: mattermost
  mode:
    description: Mode of the plugin directories (octal string or symbolic, as for M(ansible.builtin.file)).
    type: raw
    default: "0750"
extends_documentation_fragment:
  - mmops.mattermost.attributes
attributes:
  platform:
    description: Target OS/families that can be operated against.
    support: full
    platforms: posix
"""

EXAMPLES = r"""
- name: Plugin directories as config.json names them, below /opt/mattermost
  mmops.mattermost.plugin_dirs:
    install_dir: /opt/mattermost
    config_path: /opt/mattermost/config/config.json

- name: Server plugins on another volume
  mmops.mattermost.plugin_dirs:
    directory: /srv/mattermost-plugins/server
    allowed: [/srv/mattermost-plugins]
"""

RETURN = r"""
directory:
  description: The server-side plugin directory, absolute.
  returned: always
  type: str
  sample: /opt/mattermost/plugins
client_directory:
  description: The webapp plugin directory, absolute.
  returned: always
  type: str
  sample: /opt/mattermost/client/plugins
"""

import grp
import os
import pwd

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.mmops.mattermost.plugins.module_utils._errors import failing_clearly
from ansible_collections.mmops.mattermost.plugins.module_utils._plugin_dirs import PluginDirs, configured, place
from ansible_collections.mmops.mattermost.plugins.module_utils._result import exit_with


def _lookup(module, kind, name, database):
    try:
        return database(name)[2]
    except KeyError:
        module.fail_json(
            msg='%s %s does not exist on this host; set mattermost_%s to the one the service runs as. '
            'Nothing was changed.' % (kind, name, 'user' if kind == 'user' else 'group')
        )


def main():
    module = AnsibleModule(
        argument_spec=dict(
            install_dir=dict(type='path', default='/opt/mattermost'),
            config_path=dict(type='path', default='/opt/mattermost/config/config.json'),
            directory=dict(type='str', default=''),
            client_directory=dict(type='str', default=''),
            allowed=dict(type='list', elements='path', default=[]),
            owner=dict(type='str', default='mattermost'),
            group=dict(type='str', default='mattermost'),
            mode=dict(type='raw', default='0750'),
        ),
        supports_check_mode=True,
    )
    params = module.params
    uid = _lookup(module, 'user', params['owner'], pwd.getpwnam)
    gid = _lookup(module, 'group', params['group'], grp.getgrnam)
    with failing_clearly(module, 'plugin_dirs: %s'):
        values = configured(params['config_path'], {'Directory': params['directory'], 'ClientDirectory': params['client_directory']})
        places = dict((key, place(value, params['install_dir'], params['allowed'])) for key, value in values.items())
        # A check-mode pass over both first: a link in either is refused before anything is made.
        dirs = PluginDirs(uid, gid, params['mode'], check_mode=True)
        for key in ('Directory', 'ClientDirectory'):
            dirs.ensure(*places[key])
        if not module.check_mode:
            dirs = PluginDirs(uid, gid, params['mode'])
            for key in ('Directory', 'ClientDirectory'):
                dirs.ensure(*places[key])
    paths = dict((key, os.path.join(root, *parts)) for key, (root, parts) in places.items())
    exit_with(
        module,
        dict(changed=dirs.changed, directory=paths['Directory'], client_directory=paths['ClientDirectory'], diff=dict(before=dirs.before, after=dirs.after)),
    )


if __name__ == '__main__':
    main()
