#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)


DOCUMENTATION = r"""
module: plugin_signature
short_description: Sign a Mattermost plugin bundle with GnuPG, or verify its signature
version_added: 0.1.0
description:
  - O(state=signed) makes a binary detached OpenPGP signature of the bundle with SHA-256, the same as
    C(gpg -u KEY --personal-digest-preferences SHA256 --detach-sign bundle.tar.gz). An existing signature that
    already verifies with that key over SHA-256 is kept (idempotent).
  - O(state=verified) checks the signature against only the O(trusted_keys), in a temporary keyring, and fails on a
    bad, missing or unknown-key signature.
  - Mattermost reads the signature from C(<bundle>.sig) next to a prepackaged bundle (see the
    C(mmops.mattermost.prepackaged_plugins) role) and trusts the keys named in C(PluginSettings.SignaturePublicKeyFiles)
    (see M(mmops.mattermost.plugin_key)).
author:
  - mmops maintainers (@mmops)
options:
  path:
    description:
      - The plugin bundle (C(.tar.gz)).
    type: path
    required: true
  state:
    description:
      - V(signed) signs the bundle (when its signature is missing, bad, by another key or not SHA-256).
      - V(verified) only checks it; never changes anything.
    type: str
    choices: [signed, verified]
    default: verified
  signature:
    description:
      - The detached signature file. Default C(<path>.sig).
    type: path
  key_id:
    description:
      - Fingerprint, key id or user id of the signing key in O(gnupghome). Required with O(state=signed).
    type: str
  gnupghome:
    description:
      - GnuPG home directory holding the private key, for O(state=signed). Omitted, GnuPG's default keyring is used.
      - Only read (gpg-agent may cache the passphrase); the keyring is not changed.
    type: path
  passphrase:
    description:
      - Passphrase of the signing key. Never shown in output or logs.
    type: str
  trusted_keys:
    description:
      - Public key files (armored or binary) that may have made the signature. Required with O(state=verified).
      - They are imported into a temporary keyring only; the user's keyring is neither read nor changed.
    type: list
    elements: path
extends_documentation_fragment:
  - mmops.mattermost.attributes
attributes:
  check_mode:
    details: Checks the existing signature; signs nothing.
  diff_mode:
    support: none
notes:
  - Needs the C(gpg) binary (GnuPG 2.1 or later) and the python-gnupg library on the host the module runs on.
seealso:
  - module: mmops.mattermost.signing_key
  - module: mmops.mattermost.plugin_key
requirements:
  - python-gnupg
  - gpg
"""

EXAMPLES = r"""
- name: Sign a bundle with the plugin-signing key
  mmops.mattermost.plugin_signature:
    path: "{{ bundle_path }}"
    state: signed
    key_id: plugins@example.com
    gnupghome: "{{ signing_home }}/gnupg"
    passphrase: "{{ signing_passphrase }}"

- name: Check the signature against the published public key before shipping the bundle
  mmops.mattermost.plugin_signature:
    path: "{{ bundle_path }}"
    state: verified
    trusted_keys:
      - "{{ signing_home }}/plugin-signing.asc"
"""

RETURN = r"""
signature:
  description: Path of the signature file.
  returned: always
  type: str
  sample: /srv/plugins/com.example.notes-1.0.0.tar.gz.sig
fingerprint:
  description: Fingerprint of the key that made the signature; null in check mode when a signature would be made.
  returned: always
  type: str
  sample: 3F0C2A1B9D8E7F6A5B4C3D2E1F0A9B8C7D6E5F4A
hash_algorithm:
  description: Digest algorithm of the signature, from gpg's C(VALIDSIG) status line.
  returned: always
  type: str
  sample: SHA256
actions:
  description: What was done (or would be done in check mode).
  returned: always
  type: list
  elements: str
  sample: ["sign /srv/plugins/notes.tar.gz with plugins@example.com into /srv/plugins/notes.tar.gz.sig"]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.mmops.mattermost.plugins.module_utils._errors import failing_clearly
from ansible_collections.mmops.mattermost.plugins.module_utils._plugin_signature import sign_or_verify


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type='path', required=True),
            state=dict(type='str', default='verified', choices=['signed', 'verified']),
            signature=dict(type='path'),
            key_id=dict(type='str'),
            gnupghome=dict(type='path'),
            passphrase=dict(type='str', no_log=True),
            # Paths of public key files: nothing secret.
            trusted_keys=dict(type='list', elements='path', no_log=False),
        ),
        required_if=[('state', 'signed', ['key_id']), ('state', 'verified', ['trusted_keys'])],
        supports_check_mode=True,
    )
    with failing_clearly(module):
        result = sign_or_verify(module)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
