"""Prepackaged plugins (server/channels/app/plugin.go, plugin_signature.go): bundles and .sig files in a real directory, and real OpenPGP checks.

The server reads `<name>.tar.gz` (+ optional `<name>.tar.gz.sig`) from its prepackaged_plugins directory at
start-up, offers each as a local Marketplace entry, and verifies signatures against the keys named in
PluginSettings.SignaturePublicKeyFiles, resolved in the config directory (the file store's rule).
"""

import base64
import os
import shutil
import subprocess
import tempfile

import gnupg

from mmsim import semver

# From this version on, prepackaged plugins must carry a valid signature to be installed at start-up (PR #31785).
VERIFIED_AT_STARTUP_FROM = semver.parse('10.11.0')


class Bundle:
    """One prepackaged bundle as the server read it at start-up."""

    def __init__(self, manifest, bundle, signature):
        self.manifest, self.bundle, self.signature = manifest, bundle, signature

    @property
    def id(self):
        return self.manifest['id']

    @property
    def version(self):
        return self.manifest.get('version', '')

    def marketplace_entry(self):
        """model.MarketplacePlugin of a prepackaged plugin: its manifest and base64 signature, no download URL."""
        return {
            'homepage_url': self.manifest.get('homepage_url', ''),
            'icon_data': '',
            'download_url': '',
            'release_notes_url': self.manifest.get('release_notes_url', ''),
            'hosting': '',
            'author_type': '',
            'release_stage': '',
            'enterprise': False,
            'signature': base64.b64encode(self.signature).decode() if self.signature else '',
            'manifest': dict(self.manifest),
            'installed_version': '',
        }


def scan(directory, read_manifest):
    """Every readable bundle of `directory`, by file name; unreadable ones are skipped (the server logs them)."""
    found = []
    if not directory or not os.path.isdir(directory):
        return found
    for name in sorted(os.listdir(directory)):
        if not name.endswith('.tar.gz'):
            continue  # a .sig without its bundle is ignored with a warning
        path = os.path.join(directory, name)
        with open(path, 'rb') as handle:
            bundle = handle.read()
        signature = None
        if os.path.isfile(path + '.sig'):
            with open(path + '.sig', 'rb') as handle:
                signature = handle.read()
        try:
            manifest = read_manifest(bundle)
        except Exception:  # noqa: BLE001 - any bundle the server cannot read is skipped
            continue
        found.append(Bundle(manifest, bundle, signature))
    return found


def newer(candidate, than):
    try:
        return semver.parse(candidate) > semver.parse(than)
    except ValueError:
        return False


def key_files(config_dir, names):
    """SignaturePublicKeyFiles resolved like the file store: absolute names as they are, others in the config directory."""
    return [name if os.path.isabs(name) else os.path.join(config_dir or '.', name) for name in names or []]


def verify(bundle, signature, keys):
    """Whether `signature` is a valid detached OpenPGP signature of `bundle` by one of the key files `keys`."""
    if not signature:
        return False
    home = tempfile.mkdtemp(prefix='mmsim-gpg-')
    try:
        gpg = gnupg.GPG(gnupghome=home)
        trusted = set()
        for path in keys:
            if os.path.isfile(path):  # unreadable files are skipped with a warning
                with open(path, 'rb') as handle:
                    trusted.update(gpg.import_keys(handle.read()).fingerprints)
        signature_path = os.path.join(home, 'bundle.sig')
        with open(signature_path, 'wb') as handle:
            handle.write(signature)
        verified = gpg.verify_data(signature_path, bundle)
        return bool(verified.valid) and (verified.pubkey_fingerprint or verified.fingerprint) in trusted
    finally:
        subprocess.call(['gpgconf', '--homedir', home, '--kill', 'gpg-agent'], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(home, ignore_errors=True)
