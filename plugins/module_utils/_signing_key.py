# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the signing_key module does, on the host that signs plugins."""

import os

from ansible_collections.mmops.mattermost.plugins.module_utils import _gpg as openpgp
from ansible_collections.mmops.mattermost.plugins.module_utils._files import replace_file
from ansible_collections.mmops.mattermost.plugins.module_utils._gpg import SignatureError


def _holds_key(path, fingerprint, secret):
    """Whether the file at `path` holds the (private, if `secret`) key with this fingerprint."""
    if not os.path.isfile(path):
        return False
    with open(path, 'rb') as handle:
        keys = openpgp.scan_keys(handle.read())
    return any(key['fingerprint'] == fingerprint and key['secret'] == secret for key in keys)


def ensure_signing_key(
    name_real, name_email, key_length=4096, gnupghome=None, passphrase=None, public_key_path=None, private_key_path=None, check_mode=False, module=None
):
    """The signing_key module: the key with this uid exists in the keyring, and its halves are exported.

    `module` (optional) gives the written key files their SELinux context; warnings are in the result's `warnings`.
    """
    paths = dict(public_key_path=public_key_path, private_key_path=private_key_path)
    if key_length < openpgp.MIN_RSA_BITS:
        raise SignatureError('key_length %d is too short: plugin-signing keys must have at least %d bits' % (key_length, openpgp.MIN_RSA_BITS))
    uid = '%s <%s>' % (name_real, name_email)
    actions = []
    key = None
    if not (check_mode and gnupghome and not os.path.isdir(gnupghome)):
        gpg = openpgp.named_keyring(gnupghome)
        key = openpgp.find_key(gpg, uid)
    if key is None:
        actions.append('create key %s (RSA %d)' % (uid, key_length))
        if check_mode:
            actions += [
                'write %s key %s' % (kind, paths[option]) for kind, option in (('public', 'public_key_path'), ('private', 'private_key_path')) if paths[option]
            ]
            return dict(changed=True, fingerprint=None, uid=uid, key_length=key_length, public_key=None, actions=actions, warnings=[])
        openpgp.generate_key(gpg, name_real, name_email, key_length, passphrase)
        key = openpgp.find_key(gpg, uid)
    elif key['algorithm'] == 'RSA' and key['length'] < openpgp.MIN_RSA_BITS:
        raise SignatureError(
            'the keyring already holds a %d-bit key for %s (%s), too short to sign plugins: use another '
            'user id, or delete that key' % (key['length'], uid, key['fingerprint'])
        )
    fingerprint = key['fingerprint']
    changed = bool(actions)
    for kind, option, secret, mode in (('public', 'public_key_path', False, 0o644), ('private', 'private_key_path', True, 0o600)):
        path = paths[option]
        if not path:
            continue
        if not _holds_key(path, fingerprint, secret):
            actions.append('write %s key %s' % (kind, path))
            if not check_mode:
                text = openpgp.export_key(gpg, fingerprint, secret=secret, passphrase=passphrase)
                replace_file(path, text.encode('ascii'), mode=mode, keep_mode=False, module=module)
        elif secret and os.stat(path).st_mode & 0o077:
            actions.append('restrict %s to mode 0600' % path)
            if not check_mode:
                os.chmod(path, mode)
    warnings = []
    if key['length'] != key_length:
        warnings.append('the existing key for %s has %d bits, not the requested %d: it is kept' % (uid, key['length'], key_length))
    return dict(
        changed=changed or bool(actions),
        fingerprint=fingerprint,
        uid=uid,
        key_length=key['length'],
        public_key=openpgp.export_key(gpg, fingerprint),
        actions=actions,
        warnings=warnings,
    )
