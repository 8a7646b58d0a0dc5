# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""OpenPGP for plugins: signing keys, detached SHA-256 signatures of bundles, trusted public keys.

Everything that only reads keys or checks signatures works in a throw-away keyring, so the user's own
keyring is never read or changed; only key generation and signing use a named keyring (named_keyring).
"""

import contextlib
import os
import shutil
import subprocess
import tempfile
import traceback
from typing import Optional

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.mmops.mattermost.plugins.module_utils._deadline import Deadline
from ansible_collections.mmops.mattermost.plugins.module_utils._errors import MattermostOpsError

try:
    import gnupg
except ImportError:
    HAS_GNUPG = False
    GNUPG_IMPORT_ERROR: Optional[str] = traceback.format_exc()
else:
    HAS_GNUPG = True
    GNUPG_IMPORT_ERROR = None

# Mattermost refuses nothing shorter itself, but its developer docs and this collection ask for at least this.
MIN_RSA_BITS = 3072
# OpenPGP algorithm ids (RFC 4880 9.1, 9.4) as gpg prints them in colon listings and status lines.
RSA_ALGORITHMS = ('1', '2', '3')
PUBKEY_ALGORITHMS = {'1': 'RSA', '2': 'RSA', '3': 'RSA', '16': 'ElGamal', '17': 'DSA', '18': 'ECDH', '19': 'ECDSA', '22': 'EdDSA'}
HASH_ALGORITHMS = {'1': 'MD5', '2': 'SHA1', '3': 'RIPEMD160', '8': 'SHA256', '9': 'SHA384', '10': 'SHA512', '11': 'SHA224'}
# Seconds one gpg run may take (python-gnupg waits for gpg forever): a gpg stuck on its agent, a lock in the keyring
# or a prompt fails the task instead of hanging it. Key generation and checking a large bundle take far less.
GPG_TIMEOUT = 60
# gpg otherwise picks the strongest digest the key allows (SHA-512); Mattermost's docs sign with SHA-256.
SHA256_ARGS = ['--personal-digest-preferences', 'SHA256']


class SignatureError(MattermostOpsError):
    """A key or signature cannot be used; the message says why."""


def _require_gnupg():
    if not HAS_GNUPG:
        raise SignatureError(missing_required_lib('python-gnupg'))


if HAS_GNUPG:

    class _BoundedGPG(gnupg.GPG):
        """gnupg.GPG whose every gpg run is stopped after GPG_TIMEOUT seconds, failing with SignatureError.

        python-gnupg starts each gpg run in _open_subprocess and waits for it in _collect_output.
        """

        def _open_subprocess(self, args, passphrase=False):
            process = super(_BoundedGPG, self)._open_subprocess(args, passphrase)
            process.mmops_deadline, process.mmops_operation = Deadline(GPG_TIMEOUT), ' '.join(arg for arg in args if arg.startswith('--'))
            process.mmops_deadline.watch(process)
            return process

        def _collect_output(self, process, result, writer=None, stdin=None):
            returncode = super(_BoundedGPG, self)._collect_output(process, result, writer, stdin)
            if process.mmops_deadline.expired:
                raise SignatureError(
                    'gpg %s did not finish within %d seconds and was stopped: check that gpg and its agent '
                    'work on this host (gpg --homedir <dir> --list-keys) and that nothing waits for a '
                    'prompt or a keyring lock' % (process.mmops_operation, GPG_TIMEOUT)
                )
            return returncode


def named_keyring(gnupghome=None):
    """A gnupg.GPG on `gnupghome` (created with mode 0700 if missing), or on GnuPG's default keyring when None."""
    _require_gnupg()
    if gnupghome and not os.path.isdir(gnupghome):
        os.makedirs(gnupghome, mode=0o700)
    return _gpg(gnupghome)


@contextlib.contextmanager
def keyring(tmpdir=None):
    """A gnupg.GPG on a temporary keyring, removed (with its gpg-agent) afterwards."""
    _require_gnupg()
    home = tempfile.mkdtemp(prefix='mmops-gpg-', dir=tmpdir)
    try:
        yield _gpg(home)
    finally:
        # A secret-key operation starts a gpg-agent for this home; it must not outlive the keyring.
        if shutil.which('gpgconf'):
            try:
                subprocess.call(
                    ['gpgconf', '--homedir', home, '--kill', 'gpg-agent'], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=GPG_TIMEOUT
                )
            except subprocess.TimeoutExpired:
                pass  # the agent then ends when its home directory is gone
        shutil.rmtree(home, ignore_errors=True)


def _gpg(home):
    try:
        return _BoundedGPG(gnupghome=home)
    except (OSError, ValueError) as exc:
        raise SignatureError('cannot run gpg (install GnuPG, the gnupg package): %s' % exc)


def _key_view(entry):
    algorithm = entry.get('algo', '')
    return dict(
        fingerprint=entry.get('fingerprint'),
        key_id=entry.get('keyid'),
        secret=entry.get('type') == 'sec',
        algorithm=PUBKEY_ALGORITHMS.get(algorithm, 'algorithm %s' % algorithm),
        length=int(entry.get('length') or 0),
        uids=list(entry.get('uids') or []),
    )


def scan_keys(data, tmpdir=None):
    """The keys held in `data` (armored or binary), without importing them anywhere."""
    with keyring(tmpdir=tmpdir) as gpg:
        return [_key_view(entry) for entry in gpg.scan_keys_mem(data)]


def check_trusted_key(data, source, tmpdir=None):
    """The one public key in `data`, fit to be a Mattermost trusted key; SignatureError naming `source` otherwise."""
    keys = scan_keys(data, tmpdir)
    if not keys:
        raise SignatureError('%s is not an OpenPGP public key (gpg found no key in it)' % source)
    if len(keys) > 1:
        raise SignatureError('%s holds %d keys (%s); give one public key per file' % (source, len(keys), ', '.join(key['fingerprint'] for key in keys)))
    key = keys[0]
    if key['secret']:
        raise SignatureError(
            '%s is a private key (%s): give only the public key; a private key must never be placed on the server' % (source, key['fingerprint'])
        )
    if key['algorithm'] == 'RSA' and key['length'] < MIN_RSA_BITS:
        raise SignatureError(
            '%s is a %d-bit RSA key (%s); plugin-signing keys must have at least %d bits' % (source, key['length'], key['fingerprint'], MIN_RSA_BITS)
        )
    return key


def _statuses(result, name):
    """The fields of each `[GNUPG:] <name>` status line gpg printed for `result`."""
    prefix = '[GNUPG:] %s ' % name
    return [line[len(prefix) :].split() for line in (result.stderr or '').splitlines() if line.startswith(prefix)]


# --- signing keys -----------------------------------------------------------------------------------


def find_key(gpg, uid, secret=True):
    """The key of `gpg` whose user id is exactly `uid`, or None."""
    for entry in gpg.list_keys(secret=secret):
        if uid in (entry.get('uids') or []):
            return _key_view(entry)
    return None


def generate_key(gpg, name_real, name_email, key_length, passphrase=None):
    """A new RSA sign-only key pair in `gpg`; returns its fingerprint."""
    if key_length < MIN_RSA_BITS:
        raise SignatureError('key_length %d is too short: plugin-signing keys must have at least %d bits' % (key_length, MIN_RSA_BITS))
    params = dict(key_type='RSA', key_length=key_length, key_usage='sign', name_real=name_real, name_email=name_email, expire_date=0)
    if passphrase:
        params['passphrase'] = passphrase
    else:
        params['no_protection'] = True
    created = gpg.gen_key(gpg.gen_key_input(**params))
    if not created.fingerprint:
        raise SignatureError('gpg could not create the key for %s <%s>: %s' % (name_real, name_email, _last_error(created)))
    return created.fingerprint


def export_key(gpg, fingerprint, secret=False, passphrase=None):
    """The armored public (or private) key."""
    if secret:
        text = gpg.export_keys(fingerprint, secret=True, passphrase=passphrase, expect_passphrase=bool(passphrase))
    else:
        text = gpg.export_keys(fingerprint)
    if not text:
        raise SignatureError(
            'gpg could not export the %s key %s%s' % ('private' if secret else 'public', fingerprint, ' (wrong passphrase?)' if secret else '')
        )
    return text


def _last_error(result):
    lines = [line for line in (result.stderr or '').splitlines() if line and not line.startswith('[GNUPG:]')]
    return lines[-1] if lines else (getattr(result, 'status', None) or 'no error text')


# --- signatures -------------------------------------------------------------------------------------


def sign_bundle(gpg, path, signature, key_id, passphrase=None):
    """Write a binary detached SHA-256 signature of `path` to `signature` (what `gpg --detach-sign` makes)."""
    with open(path, 'rb') as handle:
        signed = gpg.sign_file(handle, keyid=key_id, passphrase=passphrase, detach=True, binary=True, clearsign=False, output=signature, extra_args=SHA256_ARGS)
    if not signed or not signed.fingerprint:
        raise SignatureError('gpg could not sign %s with key %s: %s' % (path, key_id, _last_error(signed)))
    algorithm = HASH_ALGORITHMS.get(str(signed.hash_algo), str(signed.hash_algo))
    if algorithm != 'SHA256':
        raise SignatureError('gpg signed %s with %s, not SHA256: the key %s does not allow SHA-256' % (path, algorithm, key_id))
    return dict(fingerprint=signed.fingerprint, hash_algorithm=algorithm)


def verify_bundle(path, signature, trusted_keys, tmpdir=None):
    """Check a detached signature of `path` against only `trusted_keys`; return (fingerprint, hash algorithm).

    The keyring is temporary, so the user's own keyring is never read or changed.
    """
    if not os.path.isfile(signature):
        raise SignatureError('the signature %s of %s does not exist' % (signature, path))
    with keyring(tmpdir=tmpdir) as gpg:
        trusted = set()
        for key_file in trusted_keys:
            with open(key_file, 'rb') as handle:
                imported = gpg.import_keys(handle.read())
            if not imported.fingerprints:
                raise SignatureError('%s holds no OpenPGP public key' % key_file)
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
            raise SignatureError('the signature %s of %s is not valid: %s' % (signature, path, reason))
        # VALIDSIG <fpr> <date> <timestamp> <expires> <version> <reserved> <pubkey algo> <hash algo> <class> <primary fpr>
        valid = _statuses(verified, 'VALIDSIG')
        algorithm = valid[0][7] if valid and len(valid[0]) > 7 else ''
        return signer, HASH_ALGORITHMS.get(algorithm, algorithm or 'unknown')
