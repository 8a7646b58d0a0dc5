#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)


DOCUMENTATION = r"""
module: signing_key
short_description: Create a plugin-signing key pair with GnuPG and export it
version_added: 0.1.0
description:
  - Makes sure the GnuPG keyring in O(gnupghome) holds an RSA signing key with the user id
    C(O(name_real) <O(name_email)>), creating it when there is none (idempotent by user id).
  - Optionally exports the armored public key (to give to Mattermost with M(mmops.mattermost.plugin_key)) and the
    armored private key (mode 0600, to keep in a safe place).
  - Runs on the host that signs plugins; it does not talk to Mattermost.
author:
  - mmops maintainers (@mmops)
options:
  name_real:
    description:
      - Real name of the key's user id, for example V(Example Corp plugin signing).
    type: str
    required: true
  name_email:
    description:
      - Email address of the key's user id.
    type: str
    required: true
  key_length:
    description:
      - RSA key size in bits; at least 3072.
      - Only used when the key is created; an existing key is never replaced.
    type: int
    default: 4096
  gnupghome:
    description:
      - GnuPG home directory that holds the key (created with mode 0700 when missing).
      - Omitted, GnuPG's default (E(GNUPGHOME) or C(~/.gnupg)) is used, that is the keyring of the user running the
        module.
    type: path
  passphrase:
    description:
      - Passphrase that protects the private key; omitted creates an unprotected key.
      - Needed to export the private key of a protected key. Never shown in output or logs.
    type: str
  public_key_path:
    description:
      - Write the armored public key here (mode 0644), replacing a file that holds another key.
    type: path
  private_key_path:
    description:
      - Write the armored private key here (mode 0600), replacing a file that holds another key.
    type: path
extends_documentation_fragment:
  - mmops.mattermost.attributes
attributes:
  check_mode:
    details: Reads the keyring and the export files; creates and writes nothing.
  diff_mode:
    support: none
notes:
  - Needs the C(gpg) binary (GnuPG 2.1 or later) and the python-gnupg library on the host the module runs on.
  - Key generation needs entropy; a 4096-bit key takes a few seconds.
seealso:
  - module: mmops.mattermost.plugin_signature
  - module: mmops.mattermost.plugin_key
requirements:
  - python-gnupg
  - gpg
"""

EXAMPLES = r"""
- name: A 4096-bit plugin-signing key in a dedicated keyring, with both halves exported
  mmops.mattermost.signing_key:
    name_real: Example Corp plugin signing
    name_email: plugins@example.com
    gnupghome: "{{ signing_home }}/gnupg"
    passphrase: "{{ signing_passphrase }}"
    public_key_path: "{{ signing_home }}/plugin-signing.asc"
    private_key_path: "{{ signing_home }}/plugin-signing.private.asc"
  register: signing_key

- name: Show the fingerprint to publish
  ansible.builtin.debug:
    msg: "{{ signing_key.fingerprint }}"
"""

RETURN = r"""
fingerprint:
  description: Fingerprint of the key; null in check mode when the key would be created.
  returned: always
  type: str
  sample: 3F0C2A1B9D8E7F6A5B4C3D2E1F0A9B8C7D6E5F4A
uid:
  description: The key's user id.
  returned: always
  type: str
  sample: Example Corp plugin signing <plugins@example.com>
key_length:
  description: Size of the key in bits (of the existing key, which may differ from O(key_length)).
  returned: always
  type: int
  sample: 4096
public_key:
  description: The armored public key; null in check mode when the key would be created.
  returned: always
  type: str
actions:
  description: What was done (or would be done in check mode).
  returned: always
  type: list
  elements: str
  sample: ["create key Example Corp plugin signing <plugins@example.com>", "write public key /srv/signing/plugin-signing.asc"]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.mmops.mattermost.plugins.module_utils._errors import failing_clearly
from ansible_collections.mmops.mattermost.plugins.module_utils._signing_key import ensure_signing_key


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name_real=dict(type='str', required=True),
            name_email=dict(type='str', required=True),
            key_length=dict(type='int', default=4096, no_log=False),
            gnupghome=dict(type='path'),
            passphrase=dict(type='str', no_log=True),
            public_key_path=dict(type='path'),
            private_key_path=dict(type='path'),
        ),
        supports_check_mode=True,
    )
    with failing_clearly(module):
        result = ensure_signing_key(check_mode=module.check_mode, module=module, **module.params)
    for warning in result.pop('warnings'):
        module.warn(warning)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
