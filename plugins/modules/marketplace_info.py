#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)


DOCUMENTATION = r"""
module: marketplace_info
short_description: List Mattermost Marketplace plugins, as a server sees them or straight from a Marketplace or mirror
version_added: 0.2.0
description:
  - Without O(marketplace_url), O(server_version) and O(all_versions), reads the Marketplace listing through the server
    (C(GET /api/v4/plugins/marketplace)), that is the newest release of each plugin compatible with the server's own version,
    merged with its prepackaged and installed plugins, with the installed version of each.
  - With O(marketplace_url) (the public Marketplace, a private one or a mirror published by the
    C(mmops.mattermost.marketplace_mirror) role), reads that Marketplace directly from the host the module runs on.
    With O(url) and O(token) as well, the installed versions come from that server.
  - With O(server_version) or O(all_versions) and no O(marketplace_url), reads the Marketplace the server is configured
    with (C(PluginSettings.MarketplaceURL)) directly, because the server's own listing always uses its own version and
    only the newest release.
  - Compatibility, newest release per plugin, O(plugin_id) and O(filter) are applied again on this side, so a static
    mirror (which answers the same file to every query) gives the same answer as the Marketplace service.
  - A Marketplace that is switched off on the server, or that cannot be reached, fails with a message saying which
    setting or URL to check.
author:
  - mmops maintainers (@mmops)
options:
  url:
    description:
      - Base URL of the Mattermost server, for example C(https://chat.example.com).
      - If not set, the value of the E(MATTERMOST_URL) environment variable is used.
      - Needed unless O(marketplace_url) is set.
    required: false
  token:
    description:
      - Personal access token or bot token of an account that may read the system console's plugin settings.
      - If not set, the value of the E(MATTERMOST_TOKEN) environment variable is used. Needed with O(url).
      - Never shown in output or logs.
    required: false
  validate_certs:
    description:
      - Verify TLS certificates (of the server and of the Marketplace read directly).
      - If not set, the value of the E(MATTERMOST_VALIDATE_CERTS) environment variable is used.
  marketplace_url:
    description:
      - Base URL of a Marketplace to read directly, for example V(https://api.integrations.mattermost.com) or the URL of a
        mirror. The module requests C(<marketplace_url>/api/v1/plugins).
    type: str
  filter:
    description:
      - Keep plugins whose id is this text, or whose name or description contains it (any case), as Mattermost does.
    type: str
  plugin_id:
    description:
      - Keep only this plugin id.
    type: str
  labels:
    description:
      - Keep only plugins that carry at least one of these labels, for example V(Beta), V(Experimental),
        V(Community), V(Partner), V(Professional/Enterprise) or (through the server) V(Local). Any case.
    type: list
    elements: str
  server_version:
    description:
      - List what the Marketplace offers to a server of this Mattermost version (releases needing a newer one are left
        out). Defaults to the version of the server at O(url), if any; without either, releases for every version.
    type: str
  all_versions:
    description:
      - Every release of each plugin, newest first, instead of only the newest.
    type: bool
    default: false
  local_only:
    description:
      - Through the server only, its prepackaged and installed plugins (C(local_only=true)).
    type: bool
    default: false
  remote_only:
    description:
      - Through the server only, the remote Marketplace's plugins (C(remote_only=true)).
    type: bool
    default: false
extends_documentation_fragment:
  - mmops.mattermost.connection
  - mmops.mattermost.attributes.INFO_MODULE
  - mmops.mattermost.attributes.ACTIONGROUP_API
  - mmops.mattermost.attributes.IN_PROCESS
notes:
  - Reading a Marketplace directly sends C(enterprise_plugins=true), so plugins that need a Professional or Enterprise
    licence are listed (with RV(plugins[].enterprise) true) whatever the server's licence.
seealso:
  - module: mmops.mattermost.plugin_info
  - module: mmops.mattermost.plugin
"""

EXAMPLES = r"""
- name: What the server's Marketplace offers, with installed versions and updates
  mmops.mattermost.marketplace_info:
  register: offered

- name: Show the plugins with an update available
  ansible.builtin.debug:
    msg: "{{ item.id }} {{ item.installed_version }} -> {{ item.version }} {{ item.labels }}"
  loop: "{{ offered.plugins | selectattr('update_available') }}"
  loop_control:
    label: "{{ item.id }}"

- name: Releases that are not production quality
  mmops.mattermost.marketplace_info:
    labels: [Beta, Experimental]
  register: not_for_production

- name: Every release of one plugin that a Mattermost 9.5 server could run, from the server's Marketplace
  mmops.mattermost.marketplace_info:
    plugin_id: com.example.notes
    server_version: 9.5.0
    all_versions: true
  register: notes_releases

- name: What a Marketplace mirror offers to Mattermost 9.11 (no server needed; with url and token, installed versions too)
  mmops.mattermost.marketplace_info:
    marketplace_url: "{{ mirror_url }}"
    server_version: 9.11.0
  register: mirrored
"""

RETURN = r"""
marketplace_url:
  description: The Marketplace that was read (through the server, the URL the server is configured with).
  returned: always
  type: str
  sample: https://api.integrations.mattermost.com
through_server:
  description: Whether the listing came through the server's API rather than from the Marketplace directly.
  returned: always
  type: bool
  sample: true
remote_marketplace:
  description: >-
    Whether remote Marketplace plugins are included; false when the server has C(PluginSettings.EnableRemoteMarketplace)
    off, in which case only its prepackaged and installed plugins are listed (and a warning says so).
  returned: always
  type: bool
  sample: true
server_version:
  description: The Mattermost version compatibility was judged for; null when every release was listed.
  returned: always
  type: str
  sample: 9.11.0
plugins:
  description: The plugins, ordered by name (and, with O(all_versions), newest release first).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Plugin id.
      type: str
      sample: com.example.notes
    name:
      description: Display name.
      type: str
      sample: Notes
    description:
      description: The plugin's description.
      type: str
    version:
      description: Release version.
      type: str
      sample: 1.1.0
    labels:
      description: Names of the labels the Marketplace gives this release.
      type: list
      elements: str
      sample: [Partner, Beta]
    release_stage:
      description: V(production), V(beta) or V(experimental); null when the Marketplace does not say (local plugins).
      type: str
      sample: beta
    author_type:
      description: V(mattermost), V(partner) or V(community); null when unknown.
      type: str
      sample: partner
    enterprise:
      description: Whether the plugin needs a Professional or Enterprise licence.
      type: bool
      sample: false
    signed:
      description: Whether the entry carries a signature (the server refuses Marketplace bundles without one).
      type: bool
      sample: true
    download_url:
      description: Where the server downloads the bundle from; null for local plugins.
      type: str
      sample: https://plugins.releases.mattermost.com/release/mattermost-plugin-notes-v1.1.0.tar.gz
    homepage_url:
      description: The plugin's homepage.
      type: str
    release_notes_url:
      description: The release notes.
      type: str
    min_server_version:
      description: Lowest Mattermost version the release runs on; null when it does not say.
      type: str
      sample: 9.5.0
    installed_version:
      description: Version installed on the server; null when not installed or when no server was read.
      type: str
      sample: 1.0.0
    update_available:
      description: Whether RV(plugins[].version) is newer than RV(plugins[].installed_version).
      type: bool
      sample: true
status:
  description: HTTP status of a failed request.
  returned: on failure of a request
  type: int
  sample: 401
error_id:
  description: Mattermost's error id of a failed request.
  returned: on failure of a request that Mattermost answered with an error body
  type: str
  sample: api.context.session_expired.app_error
request:
  description: Method and path (or URL, for a Marketplace) of the failed request.
  returned: on failure of a request
  type: str
  sample: GET /api/v4/plugins/marketplace
"""

from ansible_collections.mmops.mattermost.plugins.module_utils._client import MattermostClient
from ansible_collections.mmops.mattermost.plugins.module_utils._marketplace_info import ListingRequest, marketplace_listing
from ansible_collections.mmops.mattermost.plugins.module_utils._module import api_spec, run_module
from ansible_collections.mmops.mattermost.plugins.module_utils._server import ServerView

SPEC = api_spec(
    dict(
        marketplace_url=dict(type='str'),
        filter=dict(type='str'),
        plugin_id=dict(type='str'),
        labels=dict(type='list', elements='str'),
        server_version=dict(type='str'),
        all_versions=dict(type='bool', default=False),
        local_only=dict(type='bool', default=False),
        remote_only=dict(type='bool', default=False),
    ),
    connection_required=False,
    required_one_of=[('url', 'marketplace_url')],
    required_together=[('url', 'token')],
)


def run(module):
    params = module.params
    if not (params['url'] or params['marketplace_url']):
        # required_one_of counts an option given as null; say what is missing instead of failing on it later.
        module.fail_json(msg='one of url (or MATTERMOST_URL) and marketplace_url is required')
    request = ListingRequest(params)
    if params['url']:
        view = ServerView(MattermostClient.from_module(module))
        plugins, facts = marketplace_listing(request, view=view)
    else:
        client = MattermostClient.from_module(module, url=params['marketplace_url'])
        plugins, facts = marketplace_listing(request, client=client)
    if not facts['remote_marketplace']:
        module.warn(
            'PluginSettings.EnableRemoteMarketplace is false on %s: only its prepackaged and installed plugins are '
            'listed; turn it on with mmops.mattermost.plugin_settings' % params['url']
        )
    return dict(changed=False, plugins=plugins, **facts)


def main():
    run_module(SPEC, run)


if __name__ == '__main__':
    main()
