#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)


DOCUMENTATION = r"""
module: plugin_set
short_description: The whole desired plugin state of one Mattermost server in one call
version_added: 0.1.0
description:
  - Brings every listed plugin of a Mattermost server (or cluster) to its declared state in one task - installs,
    upgrades and exact versions, settings, enablement, and with O(exclusive) the removal of plugins not listed.
  - The server is read once (config and plugin statuses, plus the Marketplace listing and the installed manifests
    only when an entry needs them), every entry is planned and checked before anything is written, then the changes
    go in phases - removals, installs and upgrades, one config patch with every plugin's settings, enable and
    disable - and the module waits once until every enabled plugin runs on every cluster node.
  - A run with nothing to change costs the same few reads whatever the number of plugins, and sends no write.
  - Each entry takes the options of M(mmops.mattermost.plugin), with the same checks and messages.
  - The C(mmops.mattermost.plugins) role is a thin wrapper around this module.
author:
  - mmops maintainers (@mmops)
options:
  plugins:
    description:
      - The desired plugins, one entry each. Every entry option means what the option of the same name of
        M(mmops.mattermost.plugin) means, with the same checks and messages.
    type: list
    elements: dict
    required: true
    suboptions:
      id:
        description: Plugin id.
        type: str
        required: true
      state:
        description: V(present), V(latest) (newest release compatible with the server) or V(absent).
        type: str
        choices: [present, absent, latest]
        default: present
      enabled:
        description: Enable or disable; omitted leaves enablement as it is.
        type: bool
      version:
        description: Exact version to hold, upgrading or downgrading to it.
        type: str
      source:
        description: Where the bundle comes from.
        type: str
        choices: [marketplace, url, file]
        default: marketplace
      src:
        description: Bundle path (O(plugins[].source=file)) or https URL (O(plugins[].source=url)).
        type: str
      checksum:
        description: C(sha256:<hex>) the bundle must match.
        type: str
      signature:
        description: Detached OpenPGP signature of the bundle, checked against O(plugins[].trusted_keys) before it is sent.
        type: path
      trusted_keys:
        description: Public key files that may have signed the bundle.
        type: list
        elements: path
      force:
        description: Reinstall even when the installed version already matches.
        type: bool
        default: false
      wait:
        description: Wait until the plugin runs on every cluster node when it ends up enabled.
        type: bool
        default: true
      wait_timeout:
        description: Seconds to wait; the module waits once, for the longest of the entries that wait.
        type: int
        default: 120
      settings:
        description:
          - The plugin's settings under C(PluginSettings.Plugins), merged into what the server has and checked against
            the manifest's C(settings_schema) as M(mmops.mattermost.plugin_config) does; secret settings are never shown.
          - The settings of every entry go to the server in one config patch, before any plugin is enabled.
        type: dict
      allowed_labels:
        description: Marketplace labels a release may carry; a release with any other label is refused.
        type: list
        elements: str
      forbidden_labels:
        description: Marketplace labels (for example V(Beta), V(Experimental)) that refuse a release.
        type: list
        elements: str
  exclusive:
    description:
      - Remove every installed plugin that is neither in O(plugins) nor in O(keep).
    type: bool
    default: false
  keep:
    description:
      - Plugin ids that O(exclusive) leaves alone, for example pre-installed ones such as V(playbooks) or
        V(com.mattermost.calls).
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - mmops.mattermost.connection
  - mmops.mattermost.download
  - mmops.mattermost.attributes
  - mmops.mattermost.attributes.ACTIONGROUP_API
  - mmops.mattermost.attributes.IN_PROCESS
  - mmops.mattermost.cluster_config
attributes:
  check_mode:
    details: Reads the server (and downloads O(plugins[].source=url) bundles to check them), sends no write.
notes:
  - Bundles of O(plugins[].source=url) entries with a checksum are cached on the host the module runs on, as
    M(mmops.mattermost.plugin) does, so a fleet run downloads each bundle once.
  - Entries are planned together before anything is written; an entry that cannot be satisfied fails the task
    with nothing changed on the server.
  - The wait uses the longest C(wait_timeout) of the entries that wait.
  - On a cluster, removing a plugin that each node installed from its own C(prepackaged_plugins) directory at start-up
    is local to the node that answers (its bundle is not in the file store), so the other nodes keep it. A
    C(state=absent) entry then fails after its C(wait_timeout) (or at once, when the answering node already has no
    copy), naming the nodes that still have it and what to do, that is removing the bundle and the plugin directory on
    each, then restarting them.
seealso:
  - module: mmops.mattermost.plugin
  - module: mmops.mattermost.plugin_config
"""

EXAMPLES = r"""
- name: The plugins of this server, exactly
  mmops.mattermost.plugin_set:
    plugins:
      - id: github
        state: latest
        enabled: true
      - id: jira
        version: "2.4.0"
        enabled: true
      - id: com.example.notes
        version: "1.0.0"
        enabled: true
        settings:
          NotebookName: Team notes
          MaxNotes: 200
    exclusive: true
    keep: [zoom]
  register: converged

- name: Show what changed
  ansible.builtin.debug:
    msg: "{{ converged.actions }}"
"""

RETURN = r"""
plugins:
  description: One entry per planned plugin (listed ones, then those O(exclusive) removes).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Plugin id.
      type: str
      sample: jira
    changed:
      description: Whether this plugin changed (or would change in check mode).
      type: bool
    actions:
      description: What was done (or would be done) for this plugin, in order.
      type: list
      elements: str
      sample: ["install jira 2.4.0 from its Marketplace download URL", "enable jira"]
    before:
      description: Installed, version and enabled (and settings, secrets masked) before the run.
      type: dict
      sample: {installed: true, version: 3.0.1, enabled: true}
    after:
      description: The same after the run (predicted in check mode).
      type: dict
      sample: {installed: true, version: 2.4.0, enabled: true}
    plugin:
      description: The plugin after the run, as M(mmops.mattermost.plugin) returns it (id, name, version, enabled, installed, nodes).
      type: dict
actions:
  description: Every action of the run, in the order they were applied.
  returned: always
  type: list
  elements: str
  sample: ["remove com.github.jespino.recommend 0.0.4", "install github 2.0.1 from the Marketplace", "enable github"]
diff:
  description: Before and after of the plugins that changed, by id.
  returned: in diff mode (C(--diff))
  type: dict
  sample: {before: {jira: {installed: true, version: 3.0.1, enabled: true}}, after: {jira: {installed: true, version: 2.4.0, enabled: true}}}
status:
  description: HTTP status of a failed Mattermost request.
  returned: on failure of a request
  type: int
  sample: 501
error_id:
  description: Mattermost's error id of a failed request.
  returned: on failure of a request that Mattermost answered with an error body
  type: str
  sample: app.plugin.upload_disabled.app_error
request:
  description: Method and path of the failed request.
  returned: on failure of a request
  type: str
  sample: POST /api/v4/plugins
"""

from ansible_collections.mmops.mattermost.plugins.module_utils._client import DOWNLOAD_ARGSPEC, MattermostClient
from ansible_collections.mmops.mattermost.plugins.module_utils._module import api_spec, run_module
from ansible_collections.mmops.mattermost.plugins.module_utils._plugin import PLUGIN_ARGSPEC, reconcile_set
from ansible_collections.mmops.mattermost.plugins.module_utils._server import ServerView

ARGSPEC = dict(
    plugins=dict(type='list', elements='dict', required=True, options=PLUGIN_ARGSPEC),
    exclusive=dict(type='bool', default=False),
    keep=dict(type='list', elements='str', default=[], no_log=False),
    **DOWNLOAD_ARGSPEC,
)


SPEC = api_spec(ARGSPEC)


def run(module):
    view = ServerView(MattermostClient.from_module(module))
    return reconcile_set(
        view,
        module.params['plugins'],
        module.params['exclusive'],
        module.params['keep'],
        check_mode=module.check_mode,
        tmpdir=module.tmpdir,
        no_log_values=module.no_log_values,
        download_timeout=module.params['download_timeout'],
    )


def main():
    run_module(SPEC, run)


if __name__ == '__main__':
    main()
