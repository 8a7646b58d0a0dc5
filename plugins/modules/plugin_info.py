#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)


DOCUMENTATION = r"""
module: plugin_info
short_description: List the plugins of a Mattermost server, their versions, enablement and state on every node
version_added: 0.1.0
description:
  - Reads the installed plugins of a Mattermost server (or cluster) with their version, enabled flag and state on
    each cluster node, by name.
  - With O(check_updates=true), adds the newest version the server's Marketplace offers for the server's Mattermost
    version, and whether it is an update.
author:
  - mmops maintainers (@mmops)
options:
  id:
    description:
      - Only this plugin. Omitted lists every installed plugin.
    type: str
  check_updates:
    description:
      - Also ask the server's Marketplace (one request) for the newest compatible version of each plugin.
    type: bool
    default: false
extends_documentation_fragment:
  - mmops.mattermost.connection
  - mmops.mattermost.attributes.INFO_MODULE
  - mmops.mattermost.attributes.ACTIONGROUP_API
  - mmops.mattermost.attributes.IN_PROCESS
seealso:
  - module: mmops.mattermost.plugin
"""

EXAMPLES = r"""
- name: List the installed plugins
  mmops.mattermost.plugin_info:
  register: installed

- name: Show which plugins have a compatible update in the Marketplace
  mmops.mattermost.plugin_info:
    check_updates: true
  register: updates

- name: Print them
  ansible.builtin.debug:
    msg: "{{ item.id }} {{ item.version }} -> {{ item.latest_version }}"
  loop: "{{ updates.plugins | selectattr('update_available') }}"

- name: Fail when a plugin is not running on every cluster node
  ansible.builtin.assert:
    that: installed.plugins | rejectattr('enabled', 'false') | rejectattr('running') | list | length == 0
    fail_msg: "{{ installed.plugins | rejectattr('enabled', 'false') | rejectattr('running') | map(attribute='id') | list }} not running"
"""

RETURN = r"""
server_version:
  description: Mattermost version of the server, from its C(X-Version-Id) header.
  returned: always
  type: str
  sample: 9.11.0
plugins:
  description: Installed plugins, in the order the server lists them.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Plugin id.
      type: str
      sample: github
    name:
      description: Display name.
      type: str
      sample: GitHub
    version:
      description: Installed version (on the node that answered).
      type: str
      sample: 2.0.1
    enabled:
      description: Whether C(PluginSettings.PluginStates) enables it.
      type: bool
      sample: true
    installed:
      description: Always true here.
      type: bool
      sample: true
    running:
      description: Whether every node reports it running.
      type: bool
      sample: true
    nodes:
      description: One entry per cluster node (one entry with an empty C(cluster_id) on a single server).
      type: list
      elements: dict
      contains:
        cluster_id:
          description: Node id; empty on a server that is not clustered.
          type: str
        state:
          description: >-
            V(not_running), V(starting), V(running), V(failed_to_start), V(failed_to_stay_running) or V(stopping).
          type: str
        version:
          description: Version on that node.
          type: str
        error:
          description: The plugin's last activation error on that node.
          type: str
          returned: when the node reports one
    latest_version:
      description: Newest version the Marketplace offers for this server's Mattermost version; null if not listed.
      type: str
      returned: when O(check_updates=true)
      sample: 2.0.1
    latest_labels:
      description: Marketplace labels of RV(plugins[].latest_version), for example V(Beta); empty when it has none.
      type: list
      elements: str
      returned: when O(check_updates=true)
      sample: [Partner, Beta]
    update_available:
      description: Whether RV(plugins[].latest_version) is newer than the installed version.
      type: bool
      returned: when O(check_updates=true)
      sample: false
status:
  description: HTTP status of a failed request.
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
  sample: GET /api/v4/plugins/statuses
"""

from ansible_collections.mmops.mattermost.plugins.module_utils._plugin_id import validate_plugin_id
from ansible_collections.mmops.mattermost.plugins.module_utils._client import MattermostClient
from ansible_collections.mmops.mattermost.plugins.module_utils._module import api_spec, run_module
from ansible_collections.mmops.mattermost.plugins.module_utils._plugin_info import inventory
from ansible_collections.mmops.mattermost.plugins.module_utils._server import ServerView

SPEC = api_spec(
    dict(
        id=dict(type='str'),
        check_updates=dict(type='bool', default=False),
    )
)


def run(module):
    view = ServerView(MattermostClient.from_module(module))
    plugin_id = validate_plugin_id(module.params['id']) if module.params['id'] else None
    plugins = inventory(view, plugin_id, module.params['check_updates'])
    return dict(changed=False, server_version=view.server_version, plugins=plugins)


def main():
    run_module(SPEC, run)


if __name__ == '__main__':
    main()
