# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Broken and hostile plugin input: each case fails with a clear message, and nothing reaches the server."""

import gzip
import hashlib
import io
import json
import tarfile
import zlib

import pytest

from support.harness import fetch_bundle, PASSPHRASE, signature_task
from support.playbooks import plugin_task, run_tasks


PLUGIN_ID = 'com.example.hostile'
MANIFEST = {'id': PLUGIN_ID, 'name': 'Hostile', 'version': '1.0.0', 'server': {'executable': 'server/plugin'}}
GIB = 1 << 30


def member(name, data=b'', kind=tarfile.REGTYPE, target='', size=None):
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    info.size = len(data) if size is None else size
    return info, data


def manifest(**changes):
    fields = dict(MANIFEST, **changes)
    return member(PLUGIN_ID + '/plugin.json', json.dumps(dict((k, v) for k, v in fields.items() if v is not None)).encode())


def tar_bytes(members):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode='w', format=tarfile.PAX_FORMAT) as archive:
        for info, data in members:
            archive.addfile(info, io.BytesIO(data) if info.isreg() else None)
    return raw.getvalue()


def bundle(*members):
    return gzip.compress(tar_bytes([member(PLUGIN_ID, kind=tarfile.DIRTYPE)] + list(members)))


def gzip_bomb():
    """A few MB of gzip that would unpack to more than 1 GiB of zeros: a manifest, then one huge member."""
    head = b''
    for info, data in (member(PLUGIN_ID, kind=tarfile.DIRTYPE), manifest(), member(PLUGIN_ID + '/server/plugin', size=GIB + 1)):
        head += info.tobuf(tarfile.PAX_FORMAT) + data + bytes(-len(data) % tarfile.BLOCKSIZE)
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunks = [compressor.compress(head)]
    zeros = bytes(1 << 24)
    for dummy in range(65):
        chunks.append(compressor.compress(zeros))
    return b''.join(chunks) + compressor.flush()


GOOD = bundle(manifest(), member(PLUGIN_ID + '/server/plugin', b'#!/bin/sh\n'))

# (case id, bundle bytes, extra module options, a fragment the failure message must hold)
CASES = [
    ('not gzip', b'this is not a plugin bundle', {}, 'Not a gzipped file'),
    ('truncated gzip', GOOD[: len(GOOD) // 2], {}, 'cannot read'),
    (
        'tar cut inside a header',
        gzip.compress(tar_bytes([manifest(), member(PLUGIN_ID + '/server/plugin', b'x' * 4096)])[:1500]),
        {},
        'the bundle is truncated',
    ),
    ('tar cut inside a member', gzip.compress(tar_bytes([manifest(), member(PLUGIN_ID + '/server/plugin', b'x' * 4096)])[:2600]), {}, 'unexpected end of data'),
    ('garbage after a member', gzip.compress(tar_bytes([manifest()])[:1024] + b'garbage!' * 128), {}, 'unreadable tar header'),
    ('empty tar', gzip.compress(tar_bytes([])), {}, 'empty archive'),
    (
        'two top-level directories',
        gzip.compress(tar_bytes([member('one/plugin.json', b'{}'), member('two/plugin.json', b'{}')])),
        {},
        'has no plugin.yml, plugin.yaml, plugin.json in the archive root',
    ),
    ('no manifest', bundle(member(PLUGIN_ID + '/server/plugin', b'x')), {}, 'has no plugin.yml, plugin.yaml, plugin.json in %s/' % PLUGIN_ID),
    ('manifest with bad JSON', bundle(member(PLUGIN_ID + '/plugin.json', b'{"id": ')), {}, 'is not valid JSON'),
    ('manifest with bad YAML', bundle(member(PLUGIN_ID + '/plugin.yml', b'id: [unclosed')), {}, 'is not valid YAML'),
    ('manifest that is a list', bundle(member(PLUGIN_ID + '/plugin.json', b'[1, 2]')), {}, 'must hold a mapping'),
    ('id with bad characters', bundle(manifest(id='com.example/evil id')), {}, 'invalid plugin id'),
    ('id too short', bundle(manifest(id='ab')), {}, 'invalid plugin id'),
    ('id too long', bundle(manifest(id='a' * 191)), {}, 'invalid plugin id'),
    ('version not semver', bundle(manifest(version='one.two')), {}, 'is not a semantic version'),
    ('no version', bundle(manifest(version=None)), {}, 'has no version'),
    ('path traversal', bundle(manifest(), member(PLUGIN_ID + '/../../etc/cron.d/evil', b'x')), {}, 'a path with a ".." component'),
    ('absolute path', bundle(manifest(), member('/etc/cron.d/evil', b'x')), {}, 'an absolute path'),
    ('symlink escaping', bundle(manifest(), member(PLUGIN_ID + '/link', kind=tarfile.SYMTYPE, target='../../../etc/passwd')), {}, 'outside the bundle'),
    ('hard link escaping', bundle(manifest(), member(PLUGIN_ID + '/link', kind=tarfile.LNKTYPE, target='/etc/shadow')), {}, 'outside the bundle'),
    ('device file', bundle(manifest(), member(PLUGIN_ID + '/disk', kind=tarfile.BLKTYPE)), {}, 'a device or FIFO'),
    ('gzip bomb', None, {}, 'possible gzip bomb'),
    ('checksum mismatch', GOOD, {'checksum': 'sha256:' + '0' * 64}, 'checksum mismatch'),
    ('malformed checksum', GOOD, {'checksum': 'md5:1234'}, 'invalid checksum'),
    ('bundle of another plugin', GOOD, {'id': 'com.example.other'}, 'holds plugin %s, not com.example.other' % PLUGIN_ID),
    ('bundle of another version', GOOD, {'version': '2.0.0'}, 'holds version 1.0.0, not the requested 2.0.0'),
    ('missing file', None, {'src': '/nonexistent/bundle.tar.gz'}, 'does not exist'),
]


@pytest.mark.parametrize('data, options, fragment', [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_broken_bundles_are_refused_and_nothing_is_sent(sim, tmp_path, request, data, options, fragment):
    path = tmp_path / 'bundle.tar.gz'
    if request.node.callspec.id == 'gzip bomb':
        data = gzip_bomb()
    if data is not None:
        path.write_bytes(data)
    args = dict(dict(id=PLUGIN_ID, source='file', src=str(path)), **options)
    run = run_tasks(tmp_path, [plugin_task('hostile', **args)], sim)
    result = run.results['hostile']
    assert result['failed'] is True, run.output
    assert fragment in result['msg']
    assert sim.writes() == [] and sim.state()['plugins'] == {}


def test_a_bundle_over_the_servers_max_file_size_is_not_sent(sim, tmp_path):
    sim.reset(config={'FileSettings': {'MaxFileSize': 200}})
    path = tmp_path / 'bundle.tar.gz'
    path.write_bytes(GOOD)
    run = run_tasks(tmp_path, [plugin_task('too big', id=PLUGIN_ID, source='file', src=str(path))], sim)
    assert 'at most 200 bytes (FileSettings.MaxFileSize)' in run.results['too big']['msg']
    assert sim.writes() == []


@pytest.mark.parametrize(
    'src, settings, fragment',
    [
        ('https://', {}, 'is not an http(s) URL'),
        ('not a url', {}, 'is not an http(s) URL'),
        ('file:///etc/passwd', {}, 'is not an http(s) URL'),
        ('{marketplace}/bundles/com.example.webhooks-0.1.0.tar.gz', {'AllowInsecureDownloadURL': False}, 'AllowInsecureDownloadURL'),
    ],
    ids=['no host', 'no scheme', 'file scheme', 'plain http not allowed'],
)
def test_bad_download_urls_are_refused_before_any_download(sim, tmp_path, src, settings, fragment):
    sim.reset(config={'PluginSettings': settings})
    run = run_tasks(tmp_path, [plugin_task('url', id='com.example.webhooks', source='url', src=src.format(marketplace=sim.marketplace_url))], sim)
    assert fragment in run.results['url']['msg']
    assert sim.writes() == []
    assert [r for r in sim.requests() if r['service'] == 'marketplace'] == []


def test_a_good_bundle_still_installs(sim, tmp_path):
    """The cases above fail for their own reason, not because the harness cannot install anything."""
    path = tmp_path / 'bundle.tar.gz'
    path.write_bytes(GOOD)
    digest = hashlib.sha256(GOOD).hexdigest()
    run = run_tasks(tmp_path, [plugin_task('good', id=PLUGIN_ID, source='file', src=str(path), checksum='sha256:' + digest)], sim)
    assert run.results['good'].get('failed') is not True, run.output
    assert sim.plugin(PLUGIN_ID)['version'] == '1.0.0'


@pytest.fixture(scope='session')
def signed_notes(keys, sim_process, tmp_path_factory):
    """com.example.notes 1.0.0 signed by keys.signer (bundle.sig beside it), and a copy changed after signing."""
    root = tmp_path_factory.mktemp('signed')
    bundle = fetch_bundle(sim_process, root, 'com.example.notes', '1.0.0')
    run = run_tasks(root, [signature_task('sign', path=str(bundle), state='signed', key_id=keys.fingerprint, gnupghome=keys.home, passphrase=PASSPHRASE)])
    assert run.results['sign']['changed'] is True, run.output
    tampered = root / 'tampered.tar.gz'
    tampered.write_bytes(bundle.read_bytes() + b'x')
    return dict(signed=str(bundle), tampered=str(tampered), signature=str(bundle) + '.sig', trusted=keys.public, untrusted=keys.other_public)


@pytest.mark.xdist_group('keys')
@pytest.mark.parametrize(
    'bundle, trusted, fragment',
    [
        ('signed', 'untrusted', 'which is not in trusted_keys; nothing was installed'),
        ('tampered', 'trusted', 'the bundle changed after it was signed; nothing was installed'),
    ],
    ids=['signature by an untrusted key', 'tampered bundle'],
)
def test_bad_signatures_are_refused_and_nothing_is_sent(sim, tmp_path, signed_notes, bundle, trusted, fragment):
    run = run_tasks(
        tmp_path,
        [
            plugin_task(
                'signed',
                id='com.example.notes',
                source='file',
                src=signed_notes[bundle],
                signature=signed_notes['signature'],
                trusted_keys=[signed_notes[trusted]],
            )
        ],
        sim,
    )
    assert run.results['signed']['failed'] is True, run.output
    assert fragment in run.results['signed']['msg']
    assert sim.writes() == [] and sim.state()['plugins'] == {}


@pytest.mark.parametrize(
    'settings, fragment',
    [
        ({'Colour': 'red'}, "unknown setting 'Colour'; its manifest declares NotebookName"),
        ({'MaxNotes': 'lots'}, "setting 'MaxNotes' (number) takes a number, not str 'lots'"),
    ],
    ids=['unknown setting', 'wrong setting type'],
)
def test_bad_settings_are_refused_before_the_plugin_is_installed(sim, tmp_path, settings, fragment):
    """plugin_config refuses the same settings on an installed plugin: tests/integration/test_plugin_config.py."""
    run = run_tasks(tmp_path, [plugin_task('settings', id='com.example.notes', version='1.0.0', enabled=True, settings=settings)], sim)
    assert run.results['settings']['failed'] is True, run.output
    assert fragment in run.results['settings']['msg']
    assert sim.writes() == [] and sim.state()['plugins'] == {}


@pytest.mark.parametrize(
    'url, reason',
    [
        ('chat.example.com', 'No scheme supplied'),
        ('htps://chat.example.com', 'No connection adapters'),
        ('http://', 'No host supplied'),
        ('http://[::1', 'is not a valid host'),
    ],
    ids=['no scheme', 'unknown scheme', 'no host', 'broken IPv6 host'],
)
def test_a_malformed_server_url_fails_naming_it_before_any_request(sim, tmp_path, url, reason):
    run = run_tasks(tmp_path, [plugin_task('url', id='github', url=url)], sim)
    message = run.results['url']['msg']
    assert 'is not a valid http(s) URL (' in message and reason in message and 'check url (or MATTERMOST_URL)' in message, message
    assert sim.requests() == []
