#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)


DOCUMENTATION = r"""
module: plugin_bundle
short_description: Check a Mattermost plugin bundle on the server host, then place it as a file or unpack it
version_added: 0.2.0
description:
  - Reads the bundle with the collection's bundle reader first, as M(mmops.mattermost.plugin) does before an upload - the
    manifest and its id, every member (no device node or FIFO, no absolute path, no C(..), no link pointing outside the
    plugin directory, no name that is not UTF-8, nothing outside the one plugin directory) - and checks O(checksum)
    and the signature against O(trusted_keys) when given. A bundle that fails any check changes nothing.
  - All checks and the write use one private copy of the bundle, so the bytes placed are the bytes checked.
  - With O(unpack=false) the bundle is copied to O(dest) (and O(signature) to C(<dest>.sig)), as the
    C(mmops.mattermost.prepackaged_plugins) role places prepackaged plugins.
  - With O(unpack=true) the directories and regular files of the plugin are unpacked into C(<dest>/<manifest id>/) and
    nowhere else (links are skipped, as Mattermost skips them), first into a new directory beside it, then renamed into place, so
    another plugin's directory is never written and a link planted in the plugins directory is never followed. An
    existing C(<dest>/<id>) that is a link is refused. Files get the O(owner) and O(group), mode 0755 if the bundle made
    them executable, else 0644 (no setuid or setgid bit); directories 0755.
  - Idempotent - nothing is written when the placed file, or every unpacked file, already has the bundle's content,
    owner and mode.
author:
  - mmops maintainers (@mmops)
options:
  src:
    description: The plugin bundle (C(.tar.gz)) on the host the module runs on.
    type: path
    required: true
  dest:
    description:
      - With O(unpack=false), the file to write (for a prepackaged plugin, C(<prepackaged_plugins>/<bundle name>)).
      - With O(unpack=true), the plugins directory (C(PluginSettings.Directory)); it must exist.
    type: path
    required: true
  unpack:
    description: Unpack into C(<dest>/<manifest id>/) instead of copying the bundle.
    type: bool
    default: false
  checksum:
    description: The bundle's expected SHA-256, C(sha256:<64 hex digits>); a bundle with another digest is refused.
    type: str
  signature:
    description:
      - Its detached OpenPGP signature on the host; placed as C(<dest>.sig) with O(unpack=false), and checked against
        O(trusted_keys) when they are given.
    type: path
  trusted_keys:
    description:
      - Public key files on the host; when given, the bundle is placed only if O(signature) verifies with one of them
        (in a temporary keyring).
    type: list
    elements: path
  owner:
    description: Owner of what is written (the service user). Omitted, the user the module runs as.
    type: str
  group:
    description: Group of what is written. Omitted, the module's group.
    type: str
  mode:
    description: Mode of the placed bundle and signature (O(unpack=false)), in octal.
    type: str
    default: '0644'
extends_documentation_fragment:
  - mmops.mattermost.attributes
attributes:
  platform:
    description: Target OS/families that can be operated against.
    support: full
    platforms: posix
notes:
  - Needs the C(gpg) binary and python-gnupg on the host only when O(trusted_keys) are given.
seealso:
  - module: mmops.mattermost.plugin_signature
  - module: mmops.mattermost.plugin
"""

EXAMPLES = r"""
- name: Place a signed bundle as a prepackaged plugin, after checking it
  mmops.mattermost.plugin_bundle:
    src: /tmp/com.example.notes-1.2.0.tar.gz
    signature: /tmp/com.example.notes-1.2.0.tar.gz.sig
    trusted_keys: [/tmp/plugin-signing.asc]
    checksum: sha256:4f9a0c7b1e2d3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a
    dest: /opt/mattermost/prepackaged_plugins/com.example.notes-1.2.0.tar.gz
    owner: mattermost
    group: mattermost

- name: Unpack it by hand into the plugins directory (Mattermost before 11)
  mmops.mattermost.plugin_bundle:
    src: /tmp/com.example.notes-1.2.0.tar.gz
    dest: /opt/mattermost/plugins
    unpack: true
    owner: mattermost
    group: mattermost
"""

RETURN = r"""
plugin_id:
  description: The id in the bundle's manifest.
  returned: success
  type: str
  sample: com.example.notes
version:
  description: The version in the bundle's manifest.
  returned: success
  type: str
  sample: 1.2.0
path:
  description: The placed file, or the plugin's directory C(<dest>/<id>).
  returned: success
  type: str
  sample: /opt/mattermost/plugins/com.example.notes
checksum:
  description: SHA-256 of the bundle.
  returned: success
  type: str
  sample: sha256:4f9a0c7b1e2d3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a
signer:
  description: Fingerprint of the trusted key that made the signature; null when no O(trusted_keys) were given.
  returned: success
  type: str
  sample: 3F0C2A1B9D8E7F6A5B4C3D2E1F0A9B8C7D6E5F4A
actions:
  description: What was done (or would be done in check mode).
  returned: always
  type: list
  elements: str
  sample: ["unpack com.example.notes 1.2.0 into /opt/mattermost/plugins/com.example.notes"]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.mmops.mattermost.plugins.module_utils._errors import failing_clearly
from ansible_collections.mmops.mattermost.plugins.module_utils._plugin_bundle import place_or_unpack
from ansible_collections.mmops.mattermost.plugins.module_utils._result import exit_with


def main():
    module = AnsibleModule(
        argument_spec=dict(
            src=dict(type='path', required=True),
            dest=dict(type='path', required=True),
            unpack=dict(type='bool', default=False),
            checksum=dict(type='str'),
            signature=dict(type='path'),
            # Paths of public key files: nothing secret.
            trusted_keys=dict(type='list', elements='path', no_log=False),
            owner=dict(type='str'),
            group=dict(type='str'),
            mode=dict(type='str', default='0644'),
        ),
        supports_check_mode=True,
    )
    with failing_clearly(module, '%s; nothing was placed', also=(ValueError, OSError), actions=[]):
        result = place_or_unpack(module)
    exit_with(module, result)


if __name__ == '__main__':
    main()
