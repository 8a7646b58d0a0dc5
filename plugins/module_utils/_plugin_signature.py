# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the plugin_signature module does, on the host that signs plugins."""

import os

from ansible_collections.mmops.mattermost.plugins.module_utils import _gpg as openpgp
from ansible_collections.mmops.mattermost.plugins.module_utils._files import replace_file
from ansible_collections.mmops.mattermost.plugins.module_utils._gpg import SignatureError


def sign_or_verify(module):
    """The plugin_signature module: a detached SHA-256 signature that verifies (state=signed), or a check (verified)."""
    params = module.params
    path = params['path']
    signature = params['signature'] or path + '.sig'
    if not os.path.isfile(path):
        raise SignatureError('bundle %s does not exist or is not a file' % path)
    if params['state'] == 'verified':
        fingerprint, algorithm = openpgp.verify_bundle(path, signature, params['trusted_keys'], module.tmpdir)
        return dict(changed=False, signature=signature, fingerprint=fingerprint, hash_algorithm=algorithm, actions=[])
    gpg = openpgp.named_keyring(params['gnupghome'])
    signer = os.path.join(module.tmpdir, 'signer.asc')
    with open(signer, 'w') as handle:
        handle.write(openpgp.export_key(gpg, params['key_id']))
    if os.path.exists(signature):
        try:
            fingerprint, algorithm = openpgp.verify_bundle(path, signature, [signer], module.tmpdir)
        except SignatureError:
            pass
        else:
            if algorithm == 'SHA256':
                return dict(changed=False, signature=signature, fingerprint=fingerprint, hash_algorithm=algorithm, actions=[])
    actions = ['sign %s with %s into %s' % (path, params['key_id'], signature)]
    if module.check_mode:
        return dict(changed=True, signature=signature, fingerprint=None, hash_algorithm='SHA256', actions=actions)
    made = {}

    def sign(temporary):
        os.remove(temporary)  # gpg writes the output itself and asks before replacing a file
        made.update(openpgp.sign_bundle(gpg, path, temporary, params['key_id'], params['passphrase']))

    replace_file(signature, fill=sign, mode=0o644, module=module)
    return dict(changed=True, signature=signature, fingerprint=made['fingerprint'], hash_algorithm=made['hash_algorithm'], actions=actions)
