#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)


DOCUMENTATION = r"""
module: plugin_key
short_description: Trust (or stop trusting) a plugin-signing public key on a Mattermost server host
version_added: 0.1.0
description:
  - Mattermost verifies plugin signatures (Marketplace installs, prepackaged plugins, file-store syncs when
    C(RequirePluginSignature) is on) against its built-in Mattermost key and the key files named in
    C(PluginSettings.SignaturePublicKeyFiles). There is no REST API for these files, so this module runs B(on the
    server host) and changes the config store directly.
  - With the file store, the key is written next to C(config.json) (mode 0600, owned like C(config.json)) and its
    name added to C(SignaturePublicKeyFiles), each file replaced atomically; the key file is written before the
    config names it and removed after the config stops naming it.
  - With the database config store (O(config_dsn), as omnibus installs use), the key is a row of
    C(ConfigurationFiles) and the list is changed in a new active row of C(Configurations), in one transaction.
  - Refuses anything that is not a single OpenPGP public key, private keys, and RSA keys shorter than 3072 bits.
  - With O(url) and O(token) (or the C(group/mmops.mattermost.api) module defaults), the server then re-reads its
    config (C(POST /api/v4/config/reload)); without them the result says a restart or reload is needed.
author:
  - mmops maintainers (@mmops)
options:
  name:
    description:
      - File name of the key in the config directory (and in C(SignaturePublicKeyFiles)), for example
        V(example-plugins.asc). A bare name, at most 64 characters.
    type: str
    required: true
  key:
    description:
      - The public key, ASCII-armored. Mutually exclusive with O(src).
    type: str
  src:
    description:
      - File with the public key (armored or binary) on the host the module runs on. Mutually exclusive with O(key).
      - The database config store keeps text only, so give an armored key there.
    type: path
  state:
    description:
      - V(present) writes the key and lists it; V(absent) removes both.
    type: str
    choices: [present, absent]
    default: present
  config_path:
    description:
      - The server's C(config.json) (file config store). Default C(/opt/mattermost/config/config.json).
    type: path
  config_dsn:
    description:
      - The server's database config store, the C(postgres://) DSN it gets as E(MM_CONFIG). Mutually exclusive with
        O(config_path). Needs the C(psql) client on the host; the DSN's password is passed to it through the
        environment, never on its command line. Never shown in output or logs.
    type: str
  backup:
    description:
      - Keep a timestamped copy of C(config.json) before changing it (file store; the database store keeps the
        previous configurations as inactive rows anyway).
    type: bool
    default: false
  url:
    description:
      - Base URL of the Mattermost server; when set (with O(token)), the server re-reads its config after a change.
      - If not set, the value of the E(MATTERMOST_URL) environment variable is used; when neither is set, no
        request is sent.
    required: false
  token:
    description:
      - Token of a system admin, needed with O(url).
    required: false
extends_documentation_fragment:
  - mmops.mattermost.connection
  - mmops.mattermost.attributes
  - mmops.mattermost.attributes.ACTIONGROUP_API
attributes:
  check_mode:
    details: Reads the config store and checks the key; writes nothing and sends no request.
notes:
  - Run it on every host that holds the config store (with the file store, every cluster node that has its own
    C(config.json)).
  - On a cluster, C(POST /api/v4/config/reload) reloads only the node that answers, and each node keeps its config in
    memory, so a later config save from another node writes that node's old C(SignaturePublicKeyFiles) back. After a
    change the module warns and sets RV(restart_needed); restart every node (with the file store, after running the
    module on each), or use the database config store, which all nodes share.
  - Mattermost reads C(SignaturePublicKeyFiles) through its config store only; the setting cannot be changed
    through C(PUT /api/v4/config), which keeps it.
seealso:
  - module: mmops.mattermost.signing_key
  - module: mmops.mattermost.plugin_signature
requirements:
  - python-gnupg
  - gpg
"""

EXAMPLES = r"""
- name: Trust our plugin-signing key, and have the server re-read its config
  mmops.mattermost.plugin_key:
    name: example-plugins.asc
    src: "{{ signing_home }}/plugin-signing.asc"
    config_path: "{{ mattermost_config_path }}"
    url: "{{ mattermost_url }}"
    token: "{{ mattermost_token }}"
  register: trusted

- name: List the trusted key files
  ansible.builtin.debug:
    msg: "{{ trusted['keys'] }}"  # trusted.keys would be the dict method

- name: Stop trusting a retired key (restart the server afterwards)
  mmops.mattermost.plugin_key:
    name: retired-2023.asc
    state: absent
    config_path: "{{ mattermost_config_path }}"
    backup: true
"""

RETURN = r"""
fingerprint:
  description: Fingerprint of the key (the given one for V(present), the removed one for V(absent)); null when none.
  returned: always
  type: str
  sample: 3F0C2A1B9D8E7F6A5B4C3D2E1F0A9B8C7D6E5F4A
keys:
  description: C(PluginSettings.SignaturePublicKeyFiles) after the run (predicted in check mode), names as listed.
  returned: always
  type: list
  elements: str
  sample: [example-plugins.asc]
actions:
  description: What was done (or would be done in check mode).
  returned: always
  type: list
  elements: str
  sample: ["write key example-plugins.asc (3F0C...) to /opt/mattermost/config/config.json",
           "add example-plugins.asc to PluginSettings.SignaturePublicKeyFiles"]
reloaded:
  description: Whether the server was asked to re-read its config.
  returned: always
  type: bool
restart_needed:
  description:
    - Whether something changed that the server reads only after a config reload or a restart.
    - Always V(true) after a change on a cluster (C(ClusterSettings.Enable)), as a reload reaches only the node that
      answers and every node must restart to see the key (see RV(cluster)).
  returned: always
  type: bool
cluster:
  description:
    - Whether the config store belongs to a high-availability cluster (C(ClusterSettings.Enable)). After a change
      there the module warns that each node must restart; until one has, a config save from it writes its old
      C(SignaturePublicKeyFiles) back to the store and drops the key.
  returned: always
  type: bool
backup_file:
  description: The copy of C(config.json) made with O(backup).
  returned: when a backup was made
  type: str
diff:
  description: Trusted key names and the key's fingerprint before and after.
  returned: in diff mode (C(--diff))
  type: dict
  sample: {before: {keys: [], fingerprint: null}, after: {keys: [example-plugins.asc], fingerprint: 3F0C...}}
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
  sample: POST /api/v4/config/reload
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.mmops.mattermost.plugins.module_utils._client import MattermostClient
from ansible_collections.mmops.mattermost.plugins.module_utils._config_store import open_store
from ansible_collections.mmops.mattermost.plugins.module_utils._errors import failing_clearly
from ansible_collections.mmops.mattermost.plugins.module_utils._module import api_spec, check_libraries
from ansible_collections.mmops.mattermost.plugins.module_utils._plugin_key import ensure_trusted_key
from ansible_collections.mmops.mattermost.plugins.module_utils._result import exit_with


def main():
    # The connection options are optional here: with them the server re-reads its config, without them it needs a restart.
    module = AnsibleModule(
        **api_spec(
            dict(
                name=dict(type='str', required=True),
                key=dict(type='str', no_log=False),
                src=dict(type='path'),
                state=dict(type='str', default='present', choices=['present', 'absent']),
                config_path=dict(type='path'),
                config_dsn=dict(type='str', no_log=True),
                backup=dict(type='bool', default=False),
            ),
            connection_required=False,
            mutually_exclusive=[('key', 'src'), ('config_path', 'config_dsn')],
            required_together=[('url', 'token')],
        )
    )
    params = module.params
    if params['url']:
        check_libraries(module)
    with failing_clearly(module):
        result = ensure_trusted_key(
            lambda: open_store(module, params['config_path'], params['config_dsn']),
            params['name'],
            params['state'],
            key=params['key'],
            src=params['src'],
            backup=params['backup'],
            check_mode=module.check_mode,
            tmpdir=module.tmpdir,
            client=MattermostClient.from_module(module) if params['url'] else None,
        )
    for warning in result.pop('warnings'):
        module.warn(warning)
    exit_with(module, result)


if __name__ == '__main__':
    main()
