# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Signing keys, signatures and trusted-key checks with the real gpg binary (keys generated once per module)."""

import os
import shutil
import time

import pytest

from ansible_collections.mmops.mattermost.plugins.module_utils import _gpg
from ansible_collections.mmops.mattermost.plugins.module_utils._gpg import SignatureError

PASSPHRASE = 'correct horse battery staple'


class Signer:
    def __init__(self, home, fingerprint, public, private):
        self.home, self.fingerprint, self.public, self.private = home, fingerprint, public, private


@pytest.fixture(scope='module')
def signers(tmp_path_factory):
    """RSA keys of 2048, 3072 and 4096 bits, each in its own keyring, the 3072 one protected by a passphrase."""
    made = {}
    for bits in (2048, 3072, 4096):
        home = str(tmp_path_factory.mktemp('gpg-%d' % bits))
        passphrase = PASSPHRASE if bits == 3072 else None
        gpg = _gpg.named_keyring(home)
        # generate_key refuses short keys, so the 2048-bit one is made the way any gpg user would.
        if bits < _gpg.MIN_RSA_BITS:
            fingerprint = gpg.gen_key(
                gpg.gen_key_input(key_type='RSA', key_length=bits, name_real='Short', name_email='short@example.com', no_protection=True)
            ).fingerprint
        else:
            fingerprint = _gpg.generate_key(gpg, 'Signer %d' % bits, 'signer%d@example.com' % bits, bits, passphrase)
        public = _gpg.export_key(gpg, fingerprint).encode()
        private = _gpg.export_key(gpg, fingerprint, secret=True, passphrase=passphrase).encode()
        made[bits] = Signer(home, fingerprint, public, private)
    yield made
    for signer in made.values():
        _gpg.subprocess.call(['gpgconf', '--homedir', signer.home, '--kill', 'gpg-agent'])


@pytest.fixture
def bundle(tmp_path):
    path = tmp_path / 'com.example.demo-1.0.0.tar.gz'
    path.write_bytes(os.urandom(4096))
    return path


def sign(signer, bundle, passphrase=None):
    signature = str(bundle) + '.sig'
    gpg = _gpg.named_keyring(signer.home)
    return signature, _gpg.sign_bundle(gpg, str(bundle), signature, signer.fingerprint, passphrase)


def key_file(tmp_path, signer, name='key.asc'):
    path = tmp_path / name
    path.write_bytes(signer.public)
    return str(path)


@pytest.mark.parametrize('bits', [3072, 4096])
def test_generated_rsa_keys_of_3072_and_4096_bits_are_accepted_as_trusted_keys(signers, bits):
    key = _gpg.check_trusted_key(signers[bits].public, 'key.asc')
    assert key['fingerprint'] == signers[bits].fingerprint
    assert (key['algorithm'], key['length'], key['secret']) == ('RSA', bits, False)
    assert key['uids'] == ['Signer %d <signer%d@example.com>' % (bits, bits)]


def test_a_2048_bit_key_is_refused_naming_its_size(signers):
    with pytest.raises(SignatureError, match='key.asc is a 2048-bit RSA key .*at least 3072 bits'):
        _gpg.check_trusted_key(signers[2048].public, 'key.asc')


def test_generate_key_refuses_short_keys_before_running_gpg():
    with pytest.raises(SignatureError, match='key_length 2048 is too short'):
        _gpg.generate_key(None, 'x', 'x@example.com', 2048)


def test_private_keys_and_non_keys_are_refused(signers):
    with pytest.raises(SignatureError, match='is a private key'):
        _gpg.check_trusted_key(signers[4096].private, 'secret.asc')
    with pytest.raises(SignatureError, match='notes.txt is not an OpenPGP public key'):
        _gpg.check_trusted_key(b'just some text\n', 'notes.txt')
    with pytest.raises(SignatureError, match='holds 2 keys'):
        _gpg.check_trusted_key(signers[3072].public + signers[4096].public, 'both.asc')


def test_a_signed_bundle_verifies_with_sha256(signers, bundle, tmp_path):
    signature, made = sign(signers[3072], bundle, PASSPHRASE)
    assert made == dict(fingerprint=signers[3072].fingerprint, hash_algorithm='SHA256')
    assert _gpg.verify_bundle(str(bundle), signature, [key_file(tmp_path, signers[3072])], str(tmp_path)) == (signers[3072].fingerprint, 'SHA256')
    # Nothing is left behind in the working directory: the keyring was temporary.
    assert sorted(os.listdir(str(tmp_path))) == sorted([bundle.name, bundle.name + '.sig', 'key.asc'])


def test_a_wrong_passphrase_fails_clearly(signers, bundle):
    # A running gpg-agent caches the passphrase used when the key was made: start from a fresh agent.
    _gpg.subprocess.call(['gpgconf', '--homedir', signers[3072].home, '--kill', 'gpg-agent'])
    with pytest.raises(SignatureError, match='could not sign'):
        sign(signers[3072], bundle, 'not the passphrase')


def test_a_tampered_bundle_fails(signers, bundle, tmp_path):
    signature, dummy = sign(signers[4096], bundle)
    bundle.write_bytes(bundle.read_bytes() + b'x')
    with pytest.raises(SignatureError, match='the bundle changed after it was signed'):
        _gpg.verify_bundle(str(bundle), signature, [key_file(tmp_path, signers[4096])])


def test_a_signature_by_another_key_fails(signers, bundle, tmp_path):
    signature, dummy = sign(signers[4096], bundle)
    with pytest.raises(SignatureError, match='made by key .*which is not in trusted_keys'):
        _gpg.verify_bundle(str(bundle), signature, [key_file(tmp_path, signers[3072])])


def test_a_missing_signature_fails(signers, bundle, tmp_path):
    with pytest.raises(SignatureError, match='does not exist'):
        _gpg.verify_bundle(str(bundle), str(bundle) + '.sig', [key_file(tmp_path, signers[3072])])


def test_find_key_matches_the_whole_user_id(signers):
    gpg = _gpg.named_keyring(signers[4096].home)
    assert _gpg.find_key(gpg, 'Signer 4096 <signer4096@example.com>')['fingerprint'] == signers[4096].fingerprint
    assert _gpg.find_key(gpg, 'Signer 4096') is None


def hanging_gpg(directory, operation):
    """A gpg on PATH that is the real one, except that `operation` never ends (as when gpg waits for its agent)."""
    real = shutil.which('gpg')
    script = directory / 'gpg'
    script.write_text('#!/bin/sh\nfor arg in "$@"; do [ "$arg" = "%s" ] && exec sleep 300; done\nexec %s "$@"\n' % (operation, real))
    script.chmod(0o755)
    return str(directory)


def test_a_gpg_run_that_does_not_end_is_stopped_with_a_clear_error(tmp_path, monkeypatch, signers):
    signer = signers[4096]
    bundle = tmp_path / 'bundle.tar.gz'
    bundle.write_bytes(b'bundle bytes')
    _gpg.sign_bundle(_gpg.named_keyring(signer.home), str(bundle), str(bundle) + '.sig', signer.fingerprint)
    key = tmp_path / 'signer.asc'
    key.write_bytes(signer.public)
    monkeypatch.setattr(_gpg, 'GPG_TIMEOUT', 1)
    monkeypatch.setenv('PATH', hanging_gpg(tmp_path, '--verify') + os.pathsep + os.environ['PATH'])
    started = time.time()
    with pytest.raises(SignatureError) as error:
        _gpg.verify_bundle(str(bundle), str(bundle) + '.sig', [str(key)], str(tmp_path))
    assert time.time() - started < 30
    assert str(error.value).startswith('gpg --verify did not finish within 1 seconds and was stopped')
