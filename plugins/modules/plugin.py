#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)


DOCUMENTATION = r"""
module: plugin
short_description: Install, upgrade, pin, enable, disable or remove one Mattermost plugin
version_added: 0.1.0
description:
  - Brings one plugin of a Mattermost server (or cluster) to the declared state through the REST API.
  - Sources are the server's Marketplace (public or private), a download URL, or a bundle file on the host the
    module runs on.
  - Idempotent; a run with nothing to change sends only two reads (the config and the plugin statuses), plus one read
    of the server's Marketplace listing for O(state=latest).
  - Before anything is written, the server's C(PluginSettings) are checked; a change the server would refuse fails
    with a message naming the setting and the collection role or module that changes it.
author:
  - mmops maintainers (@mmops)
options:
  id:
    description:
      - Plugin id, for example V(github) or V(com.mattermost.calls). Compared in lower case, as Mattermost stores it.
      - Checked by Mattermost's rule before anything else (3 to 190 letters, digits, V(-), V(_) or V(.)); any other id
        fails, nothing changed.
    type: str
    required: true
  state:
    description:
      - V(present) installs the plugin if missing (the newest compatible Marketplace version, or O(version)).
      - V(latest) also upgrades it to the newest version compatible with the server's Mattermost version
        (not the newest overall). Needs O(source=marketplace).
      - V(absent) removes it (Mattermost disables it first, so a later install starts disabled).
    type: str
    choices: [present, absent, latest]
    default: present
  enabled:
    description:
      - V(true) enables and V(false) disables the plugin; omitted leaves enablement as it is.
    type: bool
  version:
    description:
      - Exact version to hold, upgrading or downgrading to it.
      - With O(source=marketplace), the server's own Marketplace install ignores any requested version and
        always takes the newest compatible one. When O(version) is another release, the module installs exactly
        that release from its Marketplace download URL, which needs C(PluginSettings.EnableUploads) (see the
        C(mmops.mattermost.plugin_uploads) role) and C(RequirePluginSignature) off; otherwise it fails and says so.
      - With O(source=url) or O(source=file), the bundle must hold this version; a pinned URL already installed
        is not downloaded again.
    type: str
  source:
    description:
      - Where the bundle comes from.
      - V(marketplace) uses the Marketplace the server is configured with (C(PluginSettings.MarketplaceURL)).
      - V(url) downloads O(src) on the host the module runs on, checks it (O(checksum), O(signature), manifest), and
        uploads it; V(file) does the same with a local bundle. Both need C(PluginSettings.EnableUploads).
    type: str
    choices: [marketplace, url, file]
    default: marketplace
  src:
    description:
      - For O(source=file), the path of the bundle (C(.tar.gz)) on the host the module runs on.
      - For O(source=url), the https URL of the bundle (http only when the server allows
        C(PluginSettings.AllowInsecureDownloadURL)). The token is never sent to this host.
    type: str
  checksum:
    description:
      - C(sha256:<hex>) the bundle must match; a mismatch fails before anything is sent.
    type: str
  signature:
    description:
      - Path of a detached OpenPGP signature of the bundle. With O(trusted_keys), the bundle is verified locally
        before it is sent; a bad signature or one made by a key not in O(trusted_keys) fails, nothing installed.
    type: path
  trusted_keys:
    description:
      - Public key files (armored or binary) that may have signed the bundle. Needs python-gnupg and gpg.
    type: list
    elements: path
  force:
    description:
      - Reinstall even when the installed version already matches.
    type: bool
    default: false
  wait:
    description:
      - When the plugin ends up enabled, wait until it runs on every cluster node at the expected version
        (from C(GET /api/v4/plugins/statuses)). Fails naming the nodes where it failed to start, with the
        plugin's error, or those still not running after O(wait_timeout).
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for O(wait).
    type: int
    default: 120
  allowed_labels:
    description:
      - Marketplace labels a release may carry, for example V([Partner, Community]). Installing or upgrading to a
        release with any other label fails before anything is changed, naming the label. A release without labels
        (a Mattermost production plugin) is always allowed. Any case.
      - The Marketplace labels are V(Partner), V(Community), V(Beta), V(Experimental) and V(Professional/Enterprise).
      - Only for O(source=marketplace); a plugin already installed is not judged until it would change.
    type: list
    elements: str
  forbidden_labels:
    description:
      - Marketplace labels a release must not carry, for example V([Beta, Experimental]) to keep them out of
        production. Installing or upgrading to such a release fails before anything is changed, naming the label and
        the compatible releases the policy accepts. Any case.
      - Only for O(source=marketplace).
    type: list
    elements: str
  settings:
    description:
      - The plugin's settings, merged into what the server holds (stored keys not listed are kept), checked and
        written as M(mmops.mattermost.plugin_config) does with its default O(mmops.mattermost.plugin_config#module:purge=false)
        and O(mmops.mattermost.plugin_config#module:update_secrets=on_create); use that module to purge or rotate secrets.
      - Checked against the manifest of the version that will be installed before anything is sent, and written
        before the plugin is enabled, so it starts with them. Costs one more read (the installed manifests) when the
        plugin is not being installed.
      - Secret settings (per the manifest) never appear in the result, the diff or logs.
    type: dict
extends_documentation_fragment:
  - mmops.mattermost.connection
  - mmops.mattermost.download
  - mmops.mattermost.attributes
  - mmops.mattermost.attributes.ACTIONGROUP_API
  - mmops.mattermost.attributes.IN_PROCESS
  - mmops.mattermost.cluster_config
attributes:
  check_mode:
    details: Reads the server (and downloads a O(source=url) bundle to check it), sends no write.
notes:
  - A O(source=url) bundle with a O(checksum) is kept, by checksum, in a cache on the host the module runs on
    (E(MMOPS_MATTERMOST_BUNDLE_CACHE), else C(~/.cache/mmops.mattermost/bundles)), so a fleet run downloads it once;
    a cached file is copied into the module's temporary directory and hashed while it is copied, and only that copy is
    checked and uploaded. A cache directory its group or others can write, one owned by another user (except root), a
    symbolic link, and a link in the cache are refused.
  - Marketplace pins and O(state=latest) query the Marketplace service directly from the host the module runs on,
    at the URL the server is configured with.
  - In a cluster, O(wait) counts the nodes that report plugin statuses.
  - On a cluster, removing a plugin that each node installed from its own C(prepackaged_plugins) directory at start-up
    is local to the node that answers (its bundle is not in the file store), so the other nodes keep it. O(state=absent)
    then fails after O(wait_timeout) (or at once, when the answering node already has no copy), naming the nodes that
    still have it and what to do, that is removing the bundle and the plugin directory on each, then restarting them.
seealso:
  - module: mmops.mattermost.plugin_info
"""

EXAMPLES = r"""
- name: Install the newest GitHub plugin compatible with the server and enable it
  mmops.mattermost.plugin:
    id: github
    state: latest
    enabled: true

- name: Hold Jira at exactly 2.4.0 (downgrades a newer one)
  mmops.mattermost.plugin:
    id: jira
    version: "2.4.0"
    enabled: true

- name: Keep GitHub up to date, but never with a Beta or Experimental release
  mmops.mattermost.plugin:
    id: github
    state: latest
    forbidden_labels: [Beta, Experimental]

- name: Keep Zoom installed but disabled
  mmops.mattermost.plugin:
    id: zoom
    enabled: false

- name: Install a custom bundle from a download URL, checked against its checksum
  mmops.mattermost.plugin:
    id: com.example.webhooks
    source: url
    src: "{{ webhooks_bundle_url }}"
    checksum: "sha256:{{ webhooks_bundle_sha256 }}"
    enabled: true

- name: Upload a bundle from the host the module runs on
  mmops.mattermost.plugin:
    id: com.example.notes
    source: file
    src: "{{ notes_bundle_path }}"
    enabled: true

- name: Remove a plugin
  mmops.mattermost.plugin:
    id: com.github.jespino.recommend
    state: absent

- name: Set the connection once for every module of the collection
  module_defaults:
    group/mmops.mattermost.api:
      url: "{{ mattermost_url }}"
      token: "{{ mattermost_token }}"
  block:
    - name: Preview what would change, without changing anything
      mmops.mattermost.plugin:
        id: jira
        state: latest
      check_mode: true
      register: jira_preview
"""

RETURN = r"""
plugin:
  description: The plugin after the run (predicted in check mode).
  returned: always
  type: dict
  contains:
    id:
      description: Plugin id.
      type: str
      sample: jira
    name:
      description: Display name; null when not installed.
      type: str
      sample: Jira
    version:
      description: Installed version; null when not installed.
      type: str
      sample: 2.4.0
    enabled:
      description: Whether C(PluginSettings.PluginStates) enables it.
      type: bool
      sample: true
    installed:
      description: Whether it is installed.
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
          description: The plugin's last activation error on that node, when there is one.
          type: str
          returned: when the node reports one
      sample: [{cluster_id: "", state: running, version: 2.4.0}]
actions:
  description: What was done (or would be done in check mode), in order.
  returned: always
  type: list
  elements: str
  sample: ["install jira 2.4.0 from its Marketplace download URL", "enable jira"]
diff:
  description: >-
    Installed, version and enabled before and after; with O(settings), also the plugin's settings (secret
    values shown as C(<secret>)).
  returned: in diff mode (C(--diff))
  type: dict
  sample: {before: {installed: true, version: 3.0.1, enabled: true}, after: {installed: true, version: 2.4.0, enabled: true}}
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
from ansible_collections.mmops.mattermost.plugins.module_utils._plugin import PLUGIN_ARGSPEC, PluginSpec, reconcile_one
from ansible_collections.mmops.mattermost.plugins.module_utils._server import ServerView

SPEC = api_spec(dict(PLUGIN_ARGSPEC, **DOWNLOAD_ARGSPEC))


def run(module):
    spec = PluginSpec(module.params, module.no_log_values)
    view = ServerView(MattermostClient.from_module(module))
    return reconcile_one(view, spec, module.check_mode, module.tmpdir, no_log_values=module.no_log_values, download_timeout=module.params['download_timeout'])


def main():
    run_module(SPEC, run)


if __name__ == '__main__':
    main()
