# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""signing_key, plugin_signature, plugin_key and the plugin module's signature check, with the real gpg binary."""

import os
import stat
import subprocess

import pytest

from support.harness import fetch_bundle, key_task, module_examples, PASSPHRASE, server_config, signature_task, signing_key_task, trusted_names
from support.playbooks import plugin_task, run_tasks


def test_signing_key_creates_4096_by_default_idempotently_and_refuses_2048(tmp_path):
    home, public, private = str(tmp_path / 'gnupg'), str(tmp_path / 'pub.asc'), str(tmp_path / 'sec.asc')
    common = dict(
        name_real='Fleet signing', name_email='fleet@example.com', gnupghome=home, passphrase=PASSPHRASE, public_key_path=public, private_key_path=private
    )
    try:
        run = run_tasks(
            tmp_path,
            [
                signing_key_task('too short', key_length=2048, **common),
                dict(signing_key_task('preview', **common), check_mode=True),
                signing_key_task('create', **common),
                signing_key_task('again', **common),
            ],
        )
        assert 'key_length 2048 is too short: plugin-signing keys must have at least 3072 bits' in run.results['too short']['msg']
        assert run.results['preview']['changed'] is True and run.results['preview']['fingerprint'] is None
        created = run.results['create']
        assert created['changed'] is True and created['key_length'] == 4096
        assert created['actions'][0] == 'create key Fleet signing <fleet@example.com> (RSA 4096)'
        assert run.results['again']['changed'] is False
        assert run.results['again']['fingerprint'] == created['fingerprint']
        assert stat.S_IMODE(os.stat(private).st_mode) == 0o600
        assert open(public).read().startswith('-----BEGIN PGP PUBLIC KEY BLOCK-----')
        assert open(private).read().startswith('-----BEGIN PGP PRIVATE KEY BLOCK-----')
        # The private key is exported again (its file removed): the passphrase is used, and never shown.
        os.remove(private)
        verbose = run_tasks(tmp_path, [signing_key_task('export', **common)], args=['-vvv'], json_output=False)
        assert 'write private key %s' % private in verbose.output and 'changed=1' in verbose.output
        assert PASSPHRASE not in verbose.output
    finally:
        subprocess.call(['gpgconf', '--homedir', home, '--kill', 'gpg-agent'])


def test_sign_is_sha256_and_idempotent_and_verify_catches_tampering_and_other_keys(keys, tmp_path):
    bundle = tmp_path / 'com.example.notes-1.0.0.tar.gz'
    bundle.write_bytes(os.urandom(2048))
    tampered = tmp_path / 'tampered.tar.gz'
    signed = dict(path=str(bundle), state='signed', key_id=keys.fingerprint, gnupghome=keys.home, passphrase=PASSPHRASE)
    run = run_tasks(
        tmp_path,
        [
            dict(signature_task('preview', **signed), check_mode=True),
            signature_task('sign', **signed),
            signature_task('sign again', **signed),
            signature_task('verify', path=str(bundle), trusted_keys=[keys.public]),
            signature_task('other key only', path=str(bundle), trusted_keys=[keys.other_public]),
            {'name': 'tamper', 'ansible.builtin.shell': 'cat %s > %s && printf x >> %s && cp %s.sig %s.sig' % (bundle, tampered, tampered, bundle, tampered)},
            signature_task('verify tampered', path=str(tampered), trusted_keys=[keys.public]),
            signature_task('no signature', path=str(bundle), signature=str(tmp_path / 'missing.sig'), trusted_keys=[keys.public]),
        ],
    )
    results = run.results
    assert results['preview']['changed'] is True
    assert results['sign']['changed'] is True
    assert results['sign']['hash_algorithm'] == 'SHA256' and results['sign']['fingerprint'] == keys.fingerprint
    assert results['sign again']['changed'] is False
    assert results['verify'].get('failed') is not True, results['verify']
    assert (results['verify']['fingerprint'], results['verify']['hash_algorithm']) == (keys.fingerprint, 'SHA256')
    assert 'which is not in trusted_keys' in results['other key only']['msg']
    assert 'the bundle changed after it was signed' in results['verify tampered']['msg']
    assert 'missing.sig' in results['no signature']['msg'] and 'does not exist' in results['no signature']['msg']
    os.remove(str(bundle) + '.sig')
    verbose = run_tasks(tmp_path, [signature_task('sign verbosely', **signed)], args=['-vvv'], json_output=False)
    assert 'changed=1' in verbose.output and PASSPHRASE not in verbose.output
    # What gpg itself says about the signature: SHA-256 (digest algo 8), binary detached.
    packets = subprocess.run(['gpg', '--list-packets', str(bundle) + '.sig'], capture_output=True, text=True, check=True).stdout
    assert 'digest algo 8' in packets


def test_plugin_key_adds_lists_and_removes_keys_idempotently(keys, tmp_path):
    (tmp_path / 'config').mkdir()
    config = server_config(tmp_path / 'config' / 'config.json')
    original = config.read_text()
    add = dict(name='example-plugins.asc', src=keys.public, config_path=str(config), backup=True)
    other = dict(name='other.asc', key=open(keys.other_public).read(), config_path=str(config))
    run = run_tasks(
        tmp_path,
        [
            dict(key_task('preview', **add), check_mode=True),
            key_task('add', **add),
        ],
    )
    assert run.results['preview']['changed'] is True and run.results['preview']['keys'] == ['example-plugins.asc']
    added = run.results['add']
    assert added['changed'] is True and added['fingerprint'] == keys.fingerprint
    assert added['keys'] == ['example-plugins.asc'] and added['restart_needed'] is True and added['reloaded'] is False
    assert 'restart' in added['msg']
    assert os.path.exists(added['backup_file'])
    assert trusted_names(config) == ['example-plugins.asc']
    key_file = config.parent / 'example-plugins.asc'
    assert key_file.read_bytes() == open(keys.public, 'rb').read()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600 and stat.S_IMODE(config.stat().st_mode) == 0o600
    # Only the value changed: every other byte of the file is as it was.
    assert '"SignaturePublicKeyFiles": []' in original
    assert config.read_text() == original.replace('"SignaturePublicKeyFiles": []', '"SignaturePublicKeyFiles": ["example-plugins.asc"]')
    config_bytes, key_bytes = config.read_bytes(), key_file.read_bytes()

    run = run_tasks(tmp_path, [key_task('add again', **add), key_task('add other', **other)])
    assert run.results['add again']['changed'] is False and run.results['add again']['actions'] == []
    assert run.results['add other']['keys'] == ['example-plugins.asc', 'other.asc']
    assert run.results['add other']['fingerprint'] == keys.other_fingerprint
    run = run_tasks(tmp_path, [key_task('other again', **other)])
    assert run.results['other again']['changed'] is False

    remove = dict(name='other.asc', state='absent', config_path=str(config))
    run = run_tasks(tmp_path, [key_task('remove', **remove), key_task('remove again', **remove)], args=['--diff'])
    assert run.results['remove']['changed'] is True and run.results['remove']['fingerprint'] == keys.other_fingerprint
    assert run.results['remove']['diff'] == {
        'before': {'keys': ['example-plugins.asc', 'other.asc'], 'fingerprint': keys.other_fingerprint},
        'after': {'keys': ['example-plugins.asc'], 'fingerprint': None},
    }
    assert run.results['remove again']['changed'] is False
    assert not (config.parent / 'other.asc').exists()
    # Back where the first key alone was trusted: byte for byte.
    assert config.read_bytes() == config_bytes and key_file.read_bytes() == key_bytes


@pytest.mark.parametrize(
    'source,expected',
    [
        ('short', 'is a 2048-bit RSA key'),
        ('private', 'is a private key'),
        ('text', 'is not an OpenPGP public key'),
    ],
)
def test_plugin_key_refuses_what_is_not_a_strong_public_key_and_changes_nothing(keys, tmp_path, source, expected):
    (tmp_path / 'config').mkdir()
    config = server_config(tmp_path / 'config' / 'config.json')
    before = config.read_bytes()
    (tmp_path / 'notes.txt').write_text('not a key')
    src = {'short': keys.short_public, 'private': keys.private, 'text': str(tmp_path / 'notes.txt')}[source]
    run = run_tasks(tmp_path, [key_task('refused', name='k.asc', src=src, config_path=str(config))])
    assert run.results['refused']['failed'] is True and expected in run.results['refused']['msg']
    assert config.read_bytes() == before and sorted(os.listdir(str(config.parent))) == ['config.json']


def test_plugin_key_with_connection_options_reloads_the_server_config(keys, tmp_path, sim):
    (tmp_path / 'config').mkdir()
    config = server_config(tmp_path / 'config' / 'config.json')
    task = key_task('add', name='example-plugins.asc', src=keys.public, config_path=str(config))
    # The group/mmops.mattermost.api module defaults give it url and token.
    run = run_tasks(tmp_path, [task, dict(task, name='again')], sim)
    assert run.results['add']['reloaded'] is True and run.results['add']['restart_needed'] is False
    assert run.results['again']['changed'] is False
    assert [(w['method'], w['path']) for w in sim.writes()] == [('POST', '/api/v4/config/reload')]


def test_plugin_module_verifies_the_bundle_before_uploading(keys, sim, tmp_path):
    sim.reset(config={'PluginSettings': {'EnableUploads': True}})
    bundle = fetch_bundle(sim, tmp_path, 'com.example.notes', '1.0.0')
    tampered = tmp_path / 'tampered.tar.gz'
    run = run_tasks(
        tmp_path,
        [
            signature_task('sign', path=str(bundle), state='signed', key_id=keys.fingerprint, gnupghome=keys.home, passphrase=PASSPHRASE),
            {'name': 'tamper', 'ansible.builtin.shell': 'cat %s > %s && printf x >> %s' % (bundle, tampered, tampered)},
            plugin_task('tampered', id='com.example.notes', source='file', src=str(tampered), signature=str(bundle) + '.sig', trusted_keys=[keys.public]),
            plugin_task('other key', id='com.example.notes', source='file', src=str(bundle), signature=str(bundle) + '.sig', trusted_keys=[keys.other_public]),
        ],
        sim,
    )
    assert 'the bundle changed after it was signed; nothing was installed' in run.results['tampered']['msg']
    assert 'not in trusted_keys; nothing was installed' in run.results['other key']['msg']
    assert sim.writes() == []
    run = run_tasks(
        tmp_path, [plugin_task('good', id='com.example.notes', source='file', src=str(bundle), signature=str(bundle) + '.sig', trusted_keys=[keys.public])], sim
    )
    assert run.results['good'].get('failed') is not True, run.results['good']
    assert sim.plugin('com.example.notes')['version'] == '1.0.0'


def test_plugin_module_names_the_remaining_install_paths_when_signatures_are_required(keys, sim, tmp_path):
    sim.reset(config={'PluginSettings': {'EnableUploads': True, 'RequirePluginSignature': True}})
    bundle = fetch_bundle(sim, tmp_path, 'com.example.notes', '1.0.0')
    run = run_tasks(tmp_path, [plugin_task('signed upload', id='com.example.notes', source='file', src=str(bundle))], sim)
    message = run.results['signed upload']['msg']
    for text in ('RequirePluginSignature is true', 'Marketplace', 'mmops.mattermost.prepackaged_plugins'):
        assert text in message
    assert sim.writes() == []


def test_signing_and_key_examples_run(sim, tmp_path):
    (tmp_path / 'config').mkdir()
    bundle = tmp_path / 'bundle.tar.gz'
    bundle.write_bytes(os.urandom(512))
    extra_vars = dict(
        signing_home=str(tmp_path / 'signing'),
        signing_passphrase=PASSPHRASE,
        bundle_path=str(bundle),
        mattermost_config_path=str(server_config(tmp_path / 'config' / 'config.json')),
        mattermost_url=sim.url,
        mattermost_token=sim.token,
    )
    try:
        for module in ('signing_key', 'plugin_signature', 'plugin_key'):
            run = run_tasks(tmp_path, module_examples(module), extra_vars=extra_vars)
            assert run.rc == 0 and run.stats.get('failures') == 0, run.output
    finally:
        subprocess.call(['gpgconf', '--homedir', str(tmp_path / 'signing' / 'gnupg'), '--kill', 'gpg-agent'])
    assert trusted_names(tmp_path / 'config' / 'config.json') == ['example-plugins.asc']
    assert os.path.isfile(str(bundle) + '.sig')
