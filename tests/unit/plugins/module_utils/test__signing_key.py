# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ensure_signing_key with plain arguments: what it refuses and what check mode plans, before any key exists."""

import os
import shutil

import pytest

from ansible_collections.mmops.mattermost.plugins.module_utils._gpg import SignatureError
from ansible_collections.mmops.mattermost.plugins.module_utils._signing_key import ensure_signing_key

needs_gpg = pytest.mark.skipif(shutil.which('gpg') is None, reason='needs the gpg binary')


def test_a_key_shorter_than_3072_bits_is_refused_before_any_keyring_is_made(tmp_path):
    home = tmp_path / 'gnupg'
    with pytest.raises(SignatureError, match='key_length 2048 is too short'):
        ensure_signing_key('Signer', 'signer@example.com', 2048, gnupghome=str(home))
    assert not home.exists()


def test_check_mode_without_a_keyring_plans_the_key_and_both_files(tmp_path):
    home = tmp_path / 'gnupg'
    public, private = tmp_path / 'key.asc', tmp_path / 'key.private.asc'
    result = ensure_signing_key(
        'Signer', 'signer@example.com', 3072, gnupghome=str(home), public_key_path=str(public), private_key_path=str(private), check_mode=True
    )
    assert result == dict(
        changed=True,
        fingerprint=None,
        uid='Signer <signer@example.com>',
        key_length=3072,
        public_key=None,
        actions=['create key Signer <signer@example.com> (RSA 3072)', 'write public key %s' % public, 'write private key %s' % private],
        warnings=[],
    )
    assert os.listdir(str(tmp_path)) == []


@needs_gpg
def test_an_empty_keyring_in_check_mode_plans_only_the_key(tmp_path):
    home = tmp_path / 'gnupg'
    home.mkdir(mode=0o700)
    result = ensure_signing_key('Signer', 'signer@example.com', 3072, gnupghome=str(home), check_mode=True)
    assert result['changed'] is True and result['actions'] == ['create key Signer <signer@example.com> (RSA 3072)']
