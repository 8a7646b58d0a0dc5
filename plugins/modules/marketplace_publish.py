#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)


DOCUMENTATION = r"""
module: marketplace_publish
short_description: Mirror chosen Marketplace plugin releases as a static Marketplace that Mattermost servers can read
version_added: 0.2.0
description:
  - Fetches the listed plugin releases (bundle and signature) from a source Marketplace and publishes them under
    O(dest) in the layout a Mattermost server reads from C(PluginSettings.MarketplaceURL), so that a plain web server
    serving O(dest) at O(base_url) acts as a private Marketplace for air-gapped or pinned fleets.
  - "Files: C(api/v1/plugins) (the newest mirrored release of each plugin, what the server's queries get),
    C(by-id/<id>.json) (the single-entry answer for one plugin, for the rewrite the C(mmops.mattermost.marketplace_mirror)
    role README describes), C(plugins.json) (every mirrored release in the Marketplace service's C(--database) format),
    C(bundles/<id>-<version>.tar.gz) with C(.tar.gz.sig), and C(SHA256SUMS)."
  - Entries keep the source's manifest, so C(min_server_version) (compatibility) travels with each release, and
    the source's signature, which stays valid because the bundle bytes are the same. Download URLs point at O(base_url).
  - The C(mmops.mattermost.marketplace_mirror) role wraps this module; its README says what a static mirror can and
    cannot answer.
author:
  - mmops maintainers (@mmops)
options:
  plugins:
    description:
      - The releases to mirror.
    type: list
    elements: dict
    required: true
    suboptions:
      id:
        description: Plugin id.
        type: str
        required: true
      version:
        description: Exact version, as listed by the source Marketplace.
        type: str
        required: true
      checksum:
        description: C(sha256:<hex>) the bundle must match; a mismatch fails and the bundle is not published.
        type: str
  source_url:
    description:
      - Base URL of the Marketplace to fetch from (the public one, a private one, or another mirror).
      - A bundle the source lists at an https URL is fetched over https only; a redirect to plain http fails the task
        and nothing is published.
    type: str
    default: https://api.integrations.mattermost.com
  dest:
    description:
      - Directory to publish into (the web server's document root for the mirror). Created if missing.
      - A tree holding symbolic links is refused before anything is written (the web server's user could plant one
        that the module, run as root, would write through).
    type: path
    required: true
  base_url:
    description:
      - URL at which O(dest) is served, as the Mattermost servers reach it. Set C(PluginSettings.MarketplaceURL) to it.
      - Plain C(http) works only on servers with C(PluginSettings.AllowInsecureDownloadURL) true.
    type: str
    required: true
  validate_certs:
    description:
      - Verify the TLS certificates of the source Marketplace and download hosts.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file of the CA certificate(s) of the source, for a private CA.
    type: path
  timeout:
    description:
      - Seconds to wait for each HTTP answer; transient failures are retried 3 times.
    type: float
    default: 30
extends_documentation_fragment:
  - mmops.mattermost.attributes
attributes:
  check_mode:
    details: Reads the source catalog, downloads nothing, writes nothing.
notes:
  - Bundles already published with the same signature (and O(plugins[].checksum), if given) are not downloaded again.
  - Files of releases dropped from O(plugins) stay in C(bundles/) (remove them yourself); their catalog entries go.
  - Signatures are copied, not checked here; every Mattermost server checks them at install.
requirements:
  - requests >= 2.25
seealso:
  - module: mmops.mattermost.marketplace_info
"""

EXAMPLES = r"""
- name: Mirror two pinned releases for an air-gapped fleet
  mmops.mattermost.marketplace_publish:
    source_url: "{{ source_marketplace_url }}"
    plugins:
      - id: com.example.notes
        version: 1.0.0
      - id: jira
        version: 2.4.0
    dest: "{{ mirror_dir }}"
    base_url: "{{ mirror_url }}"
  register: mirror

- name: Show what the servers can now install
  ansible.builtin.debug:
    msg: "{{ mirror.plugins | map(attribute='id') | zip(mirror.plugins | map(attribute='version')) | map('join', ' ') }}"
"""

RETURN = r"""
marketplace_url:
  description: The value to give C(PluginSettings.MarketplaceURL) on the servers (O(base_url)).
  returned: always
  type: str
  sample: https://mirror.example.com/mattermost
plugins:
  description: One entry per mirrored release, in the order of O(plugins).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Plugin id.
      type: str
      sample: com.example.notes
    version:
      description: Version.
      type: str
      sample: 1.0.0
    min_server_version:
      description: Lowest Mattermost version the release runs on; null when it does not say.
      type: str
      sample: 8.0.0
    labels:
      description: The source Marketplace's labels of the release.
      type: list
      elements: str
      sample: [Community]
    bundle:
      description: Path of the bundle under O(dest).
      type: str
      sample: bundles/com.example.notes-1.0.0.tar.gz
    signature_file:
      description: Path of the detached signature under O(dest).
      type: str
      sample: bundles/com.example.notes-1.0.0.tar.gz.sig
    sha256:
      description: SHA-256 of the published bundle; null in check mode before it is fetched.
      type: str
    signature_sha256:
      description: SHA-256 of the signature file.
      type: str
    fetched:
      description: Whether the bundle was (or, in check mode, would be) downloaded in this run.
      type: bool
    source_url:
      description: Where the bundle came from, without user name, password or query string (shown as C(?REDACTED)).
      type: str
    download_url:
      description: Where servers download it from now.
      type: str
changed_files:
  description: Files under O(dest) written (or that would be written) or removed.
  returned: always
  type: list
  elements: str
  sample: [bundles/com.example.notes-1.0.0.tar.gz, api/v1/plugins]
status:
  description: HTTP status of a failed request to the source Marketplace or a download host.
  returned: on failure of a request that was answered
  type: int
  sample: 404
request:
  description: Method and URL of the failed request.
  returned: on failure of a request
  type: str
  sample: GET https://api.integrations.mattermost.com/api/v1/plugins
"""

from ansible_collections.mmops.mattermost.plugins.module_utils._client import MattermostClient
from ansible_collections.mmops.mattermost.plugins.module_utils._marketplace_publish import Mirror
from ansible_collections.mmops.mattermost.plugins.module_utils._errors import failing_clearly
from ansible_collections.mmops.mattermost.plugins.module_utils._module import http_module
from ansible_collections.mmops.mattermost.plugins.module_utils._result import exit_with
from ansible_collections.mmops.mattermost.plugins.module_utils._marketplace import DEFAULT_MARKETPLACE_URL


def main():
    module = http_module(
        dict(
            plugins=dict(
                type='list',
                elements='dict',
                required=True,
                options=dict(
                    id=dict(type='str', required=True),
                    version=dict(type='str', required=True),
                    checksum=dict(type='str'),
                ),
            ),
            source_url=dict(type='str', default=DEFAULT_MARKETPLACE_URL),
            dest=dict(type='path', required=True),
            base_url=dict(type='str', required=True),
            validate_certs=dict(type='bool', default=True),
            ca_path=dict(type='path'),
            timeout=dict(type='float', default=30),
        )
    )
    params = module.params
    with failing_clearly(module):
        client = MattermostClient.from_module(module, url=params['source_url'])
        mirror = Mirror(client, params['source_url'], params['dest'], params['base_url'], module=module, check_mode=module.check_mode)
        releases = mirror.resolve(params['plugins'])
        before = mirror.published_releases()
        plugins = mirror.publish(releases)
    after = sorted('%s %s' % (plugin['id'], plugin['version']) for plugin in plugins)
    exit_with(
        module,
        dict(
            changed=bool(mirror.changed_files),
            changed_files=mirror.changed_files,
            plugins=plugins,
            marketplace_url=params['base_url'].rstrip('/'),
            diff=dict(before='\n'.join(before) + '\n', after='\n'.join(after) + '\n'),
        ),
    )


if __name__ == '__main__':
    main()
