# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Detached OpenPGP signatures of plugin bundles, checked in a throw-away keyring."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import shutil
import tempfile
import traceback

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.mmops.mattermost.plugins.module_utils._bundle import BundleError

try:
    import gnupg
except ImportError:
    HAS_GNUPG = False
    GNUPG_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_GNUPG = True
    GNUPG_IMPORT_ERROR = None


def verify_bundle(path, signature, trusted_keys, tmpdir=None):
    """Check a detached signature of `path` against only `trusted_keys`; return (fingerprint, hash algorithm).

    The keyring is temporary, so the user's own keyring is never read or changed.
    """
    if not HAS_GNUPG:
        raise BundleError(missing_required_lib('python-gnupg'))
    home = tempfile.mkdtemp(prefix='mmops-gpg-', dir=tmpdir)
    try:
        gpg = gnupg.GPG(gnupghome=home)
        trusted = set()
        for key_file in trusted_keys:
            with open(key_file, 'rb') as handle:
                imported = gpg.import_keys(handle.read())
            if not imported.fingerprints:
                raise BundleError('%s holds no OpenPGP public key' % key_file)
            trusted.update(imported.fingerprints)
        with open(signature, 'rb') as handle:
            verified = gpg.verify_file(handle, data_filename=path)
        signer = verified.pubkey_fingerprint or verified.fingerprint
        if not verified.valid or signer not in trusted:
            if verified.status == 'no public key':
                reason = 'it was made by key %s, which is not in trusted_keys' % verified.key_id
            elif verified.status == 'signature bad':
                reason = 'the signature does not match: the bundle changed after it was signed'
            else:
                reason = verified.status or 'gpg found no valid signature in %s' % signature
            raise BundleError('the signature %s of %s is not valid: %s' % (signature, path, reason))
        return signer, verified.hash_algo
    finally:
        shutil.rmtree(home, ignore_errors=True)
