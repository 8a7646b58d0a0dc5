# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import gzip
import hashlib
import io
import json
import os
import stat
import tarfile

import pytest

from ansible_collections.mmops.mattermost.plugins.module_utils import _bundle
from ansible_collections.mmops.mattermost.plugins.module_utils._bundle import (
    BundleCache,
    BundleError,
    parse_checksum,
    read_manifest,
    sha256_file,
    verify_checksum,
)

DEMO = json.dumps({'id': 'com.example.demo', 'name': 'Demo', 'version': '1.2.3'})


def file(name, data=b''):
    info = tarfile.TarInfo(name)
    data = data.encode('utf-8') if isinstance(data, str) else data
    info.size = len(data)
    return info, data


def directory(name):
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE
    return info, None


def special(name, kind, target=''):
    """A member without data: a link (SYMTYPE/LNKTYPE with a target) or a device/FIFO."""
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info, None


def manifest(name, **fields):
    """A plugin.json member holding the demo manifest with `fields` changed (None removes a field)."""
    content = json.loads(DEMO)
    content.update(fields)
    return file(name, json.dumps(dict((key, value) for key, value in content.items() if value is not None)))


def write_bundle(path, members):
    with tarfile.open(str(path), 'w:gz', format=tarfile.PAX_FORMAT) as archive:
        for info, data in members:
            archive.addfile(info, io.BytesIO(data) if data is not None else None)
    return str(path)


@pytest.mark.parametrize(
    'members, expected',
    [
        pytest.param(
            [directory('demo'), file('demo/plugin.json', DEMO), file('demo/server/dist/plugin-linux-amd64', b'\x7fELF')],
            {'id': 'com.example.demo', 'name': 'Demo', 'version': '1.2.3'},
            id='json-in-single-top-directory',
        ),
        pytest.param([file('demo/plugin.json', DEMO)], {'id': 'com.example.demo', 'version': '1.2.3'}, id='top-directory-without-its-own-member'),
        pytest.param(
            [
                file('demo/plugin.json', '{"id": "from-json", "version": "1.0.0"}'),
                file('demo/plugin.yml', 'id: from-yml\nversion: 2.0.0\n'),
                file('demo/plugin.yaml', 'id: from-yaml\nversion: 3.0.0\n'),
            ],
            {'id': 'from-yml', 'version': '2.0.0'},
            id='yml-preferred-over-yaml-and-json',
        ),
        pytest.param(
            [
                file('demo/plugin.json', '{"id": "from-json", "version": "1.0.0"}'),
                file('demo/plugin.yaml', 'id: from-yaml\nversion: 3.0.0\nsettings_schema: {settings: []}\n'),
            ],
            {'id': 'from-yaml', 'version': '3.0.0', 'settings_schema': {'settings': []}},
            id='yaml-preferred-over-json',
        ),
        pytest.param(
            [file('plugin.json', DEMO), directory('server'), directory('webapp'), file('webapp/main.js', 'x')],
            {'id': 'com.example.demo'},
            id='manifest-in-archive-root',
        ),
        pytest.param([directory('.'), file('./plugin.json', DEMO), file('./server/plugin', 'x')], {'id': 'com.example.demo'}, id='dot-prefixed-names'),
        pytest.param(
            [file('plugin.yml', 'id: root-yml\nversion: 1.0.0\n'), file('demo/plugin.yml', 'id: nested\nversion: 1.0.0\n')],
            {'id': 'root-yml'},
            id='root-manifest-beside-a-directory',
        ),
        pytest.param([manifest('demo/plugin.json', id='Com.Example.DEMO')], {'id': 'com.example.demo'}, id='id-lower-cased'),
        pytest.param([manifest('demo/plugin.json', version='v1.2.3-rc.1+abc')], {'version': 'v1.2.3-rc.1+abc'}, id='tag-style-version-kept-as-written'),
        pytest.param(
            [
                file('demo/plugin.json', DEMO),
                special('demo/manifest', tarfile.SYMTYPE, 'plugin.json'),
                special('demo/assets/icon.svg', tarfile.SYMTYPE, '../../demo/./icon.svg'),
                special('demo/copy.json', tarfile.LNKTYPE, 'demo/plugin.json'),
            ],
            {'id': 'com.example.demo'},
            id='internal-links-accepted',
        ),
        pytest.param(
            [file('demo/plugin.json', DEMO), special('current', tarfile.SYMTYPE, 'demo')],
            {'id': 'com.example.demo'},
            id='top-level-link-is-not-part-of-the-tree',
        ),
    ],
)
def test_read_manifest(tmp_path, members, expected):
    result = read_manifest(write_bundle(tmp_path / 'demo.tar.gz', members))
    assert dict((key, result.get(key)) for key in expected) == expected


TOO_LONG_ID = 'a' * 191
ID_RULE = "a plugin id is 3 to 190 characters, each a letter, digit, '-', '_' or '.'"


@pytest.mark.parametrize(
    'members, fragments',
    [
        pytest.param([manifest('demo/plugin.json', id='bad id!')], ['demo/plugin.json in', "invalid plugin id 'bad id!'", ID_RULE], id='id-characters'),
        pytest.param([manifest('demo/plugin.json', id='ab')], ["invalid plugin id 'ab'", ID_RULE], id='id-too-short'),
        pytest.param([manifest('demo/plugin.json', id=TOO_LONG_ID)], ["invalid plugin id '%s'" % TOO_LONG_ID, ID_RULE], id='id-too-long'),
        pytest.param([manifest('demo/plugin.json', id=42)], ['invalid plugin id 42', ID_RULE], id='id-not-a-string'),
        pytest.param([manifest('demo/plugin.json', id=None)], ['demo/plugin.json in', 'has no id'], id='id-missing'),
        pytest.param([manifest('demo/plugin.json', version=None)], ['demo/plugin.json in', 'has no version'], id='version-missing'),
        pytest.param([manifest('demo/plugin.json', version='1.0')], ["'1.0' is not a semantic version"], id='version-not-semver'),
        pytest.param(
            [file('demo/plugin.yml', 'id: demo\nversion: 1.0\n')], ['demo/plugin.yml in', '1.0 is not a semantic version'], id='yaml-version-read-as-a-number'
        ),
        pytest.param(
            [file('demo/README.md', 'hi'), file('demo/plugin/plugin.json', DEMO)], ['has no plugin.yml, plugin.yaml, plugin.json in demo/'], id='no-manifest'
        ),
        pytest.param(
            [manifest('one/plugin.json'), manifest('two/plugin.json')],
            ['has no plugin.yml, plugin.yaml, plugin.json in the archive root'],
            id='two-top-level-directories',
        ),
        pytest.param(
            [file('plugin.json/x', 'not a manifest')], ['has no plugin.yml, plugin.yaml, plugin.json in plugin.json/'], id='manifest-name-is-a-directory'
        ),
        pytest.param([file('demo/plugin.json', '{"id": "demo",')], ['demo/plugin.json in', 'is not valid JSON'], id='bad-json'),
        pytest.param([file('demo/plugin.json', b'\xff\xfe\x00')], ['is not valid JSON'], id='json-not-text'),
        pytest.param([file('demo/plugin.json', '["demo"]')], ['must hold a mapping of manifest fields', 'not list'], id='json-not-a-mapping'),
        pytest.param([file('demo/plugin.yml', 'id: [demo\n')], ['demo/plugin.yml in', 'is not valid YAML'], id='bad-yaml'),
        pytest.param([file('demo/plugin.yaml', '- id\n- version\n')], ['demo/plugin.yaml in', 'not list'], id='yaml-not-a-mapping'),
        pytest.param([file('demo/plugin.yml', '')], ['must hold a mapping of manifest fields', 'not NoneType'], id='yaml-empty'),
        pytest.param(
            [file('demo/plugin.json', b' ' * (1 << 20) + b'{}')], ['demo/plugin.json is 1048578 bytes', 'at most 1048576 bytes'], id='manifest-over-1-MiB'
        ),
        pytest.param([manifest('demo/plugin.json'), file('/etc/cron.d/x', 'x')], ['holds /etc/cron.d/x, an absolute path'], id='absolute-path'),
        pytest.param([manifest('demo/plugin.json'), file('demo/../../x', 'x')], ['holds demo/../../x, a path with a ".." component'], id='dotdot-path'),
        pytest.param(
            [manifest('demo/plugin.json'), file('demo/a/../b', 'x')],
            ['holds demo/a/../b, a path with a ".." component'],
            id='dotdot-path-even-if-it-stays-inside',
        ),
        pytest.param(
            [manifest('demo/plugin.json'), special('demo/passwd', tarfile.SYMTYPE, '/etc/passwd')],
            ['holds demo/passwd, a link to /etc/passwd outside the bundle'],
            id='symlink-absolute',
        ),
        pytest.param(
            [manifest('demo/plugin.json'), special('demo/up', tarfile.SYMTYPE, '../../up')],
            ['holds demo/up, a link to ../../up outside the bundle'],
            id='symlink-escaping',
        ),
        pytest.param(
            [manifest('demo/plugin.json'), special('demo/hard', tarfile.LNKTYPE, 'demo/../../etc/shadow')],
            ['holds demo/hard, a link to demo/../../etc/shadow outside the bundle'],
            id='hardlink-escaping',
        ),
        pytest.param(
            [manifest('demo/plugin.json'), special('demo/hard', tarfile.LNKTYPE, '/etc/shadow')],
            ['a link to /etc/shadow outside the bundle'],
            id='hardlink-absolute',
        ),
        pytest.param(
            [manifest('demo/plugin.json'), special('demo/other', tarfile.SYMTYPE, '../other/plugin.json')],
            ['holds demo/other, a link to ../other/plugin.json outside the plugin directory demo/'],
            id='symlink-out-of-the-plugin-directory-but-inside-the-archive',
        ),
        pytest.param(
            [manifest('demo/plugin.json'), special('demo/hard', tarfile.LNKTYPE, 'other/plugin.json')],
            ['holds demo/hard, a link to other/plugin.json outside the plugin directory demo/'],
            id='hardlink-out-of-the-plugin-directory-but-inside-the-archive',
        ),
        pytest.param(
            [manifest('demo/plugin.json'), manifest('other/plugin.json'), file('other/server/plugin', 'x')],
            ['has no plugin.yml, plugin.yaml, plugin.json in the archive root', 'it holds members outside the plugin directory demo/: other/plugin.json'],
            id='members-outside-the-plugin-directory',
        ),
        pytest.param([manifest('demo/plugin.json'), special('demo/tty', tarfile.CHRTYPE)], ['holds demo/tty, a device or FIFO'], id='char-device'),
        pytest.param([manifest('demo/plugin.json'), special('demo/sda', tarfile.BLKTYPE)], ['holds demo/sda, a device or FIFO'], id='block-device'),
        pytest.param([manifest('demo/plugin.json'), special('demo/pipe', tarfile.FIFOTYPE)], ['holds demo/pipe, a device or FIFO'], id='fifo'),
    ],
)
def test_read_manifest_rejects(tmp_path, members, fragments):
    path = write_bundle(tmp_path / 'demo.tar.gz', members)
    with pytest.raises(BundleError) as error:
        read_manifest(path)
    assert path in str(error.value)
    for fragment in fragments:
        assert fragment in str(error.value)


@pytest.mark.parametrize(
    'name, target, fragment',
    [
        ('demo/caf\udce9.js', '', "holds a member whose name is not UTF-8: 'demo/caf\\xe9.js'"),
        ('demo/link', 'caf\udce9.js', "holds demo/link, a link whose target is not UTF-8: 'caf\\xe9.js'"),
    ],
    ids=['member-name', 'link-target'],
)
def test_read_manifest_names_a_member_that_is_not_utf8(tmp_path, name, target, fragment):
    info = tarfile.TarInfo(name)
    if target:
        info.type, info.linkname = tarfile.SYMTYPE, target
    path = str(tmp_path / 'demo.tar.gz')
    with tarfile.open(path, 'w:gz', format=tarfile.GNU_FORMAT, encoding='utf-8', errors='surrogateescape') as archive:
        info_manifest, data = manifest('demo/plugin.json')
        archive.addfile(info_manifest, io.BytesIO(data))
        archive.addfile(info, io.BytesIO(b'') if not target else None)
    with pytest.raises(BundleError) as error:
        read_manifest(path)
    assert fragment in str(error.value)
    str(error.value).encode('ascii')  # what fail_json serialises


def test_read_bundle_visits_the_accepted_members_with_their_data_and_names_the_plugin_root(tmp_path):
    path = write_bundle(
        tmp_path / 'demo.tar.gz',
        [directory('demo'), manifest('demo/plugin.json'), file('demo/server/plugin', b'\x7fELF'), special('demo/link', tarfile.SYMTYPE, 'server/plugin')],
    )
    seen = []
    result, root = _bundle.read_bundle(path, visit=lambda parts, member, stream: seen.append(('/'.join(parts), stream.read() if stream else None)))
    assert result['id'] == 'com.example.demo' and root == ['demo']
    assert seen == [('demo', None), ('demo/plugin.json', manifest('x')[1]), ('demo/server/plugin', b'\x7fELF')]


@pytest.mark.parametrize(
    'limits, fragment',
    [
        (dict(max_members=3), 'holds more than 3 members'),
        (dict(max_uncompressed=2500), 'unpacks to more than 2500 bytes; refusing it as a possible gzip bomb'),
    ],
)
def test_read_manifest_limits(tmp_path, limits, fragment):
    path = write_bundle(tmp_path / 'demo.tar.gz', [manifest('demo/plugin.json')] + [file('demo/f%d' % n, b'x' * 1000) for n in range(3)])
    with pytest.raises(BundleError, match=fragment) as error:
        read_manifest(path, **limits)
    assert path in str(error.value)


def write_raw(path, data, compress=True):
    with (gzip.open if compress else open)(str(path), 'wb') as handle:
        handle.write(data)
    return str(path)


def test_header_claiming_a_huge_member_is_refused_before_reading_it(tmp_path):
    bomb = tarfile.TarInfo('demo/bomb')
    bomb.size = 1 << 40
    # Only the header: the data is never reached.
    path = write_raw(tmp_path / 'bomb.tar.gz', bomb.tobuf(tarfile.PAX_FORMAT))
    with pytest.raises(BundleError, match=r'unpacks to more than 1073741824 bytes; refusing it as a possible gzip bomb'):
        read_manifest(path)


def test_oversized_header_extension_is_refused(tmp_path):
    bomb = tarfile.TarInfo('demo/plugin.json')
    bomb.pax_headers = {'comment': 'x' * 200000}
    path = write_bundle(tmp_path / 'bomb.tar.gz', [(bomb, b'')])
    with pytest.raises(BundleError, match=r'unpacks to more than \d+ bytes; refusing it as a possible gzip bomb') as error:
        read_manifest(path, max_uncompressed=1000, max_members=10)
    assert path in str(error.value)


def truncated_bundle(path):
    # Incompressible data, so that cutting the file in half lands inside a member.
    write_bundle(path, [manifest('demo/plugin.json'), file('demo/server/plugin', os.urandom(64 * 1024))])
    with open(str(path), 'rb') as handle:
        data = handle.read()
    return write_raw(path, data[: len(data) // 2], compress=False)


@pytest.mark.parametrize(
    'make_bundle, fragment',
    [
        pytest.param(lambda path: write_raw(path, b'{"id": "demo"}', compress=False), 'Not a gzipped file', id='not-gzip'),
        pytest.param(lambda path: write_raw(path, b'plugin.json\n' * 100), 'invalid header', id='not-a-tar'),
        pytest.param(lambda path: write_raw(path, b''), 'empty file', id='empty-gzip'),
        pytest.param(truncated_bundle, 'ended before the end-of-stream marker', id='truncated'),
        pytest.param(str, 'No such file or directory', id='missing-file'),
    ],
)
def test_read_manifest_rejects_unreadable_archives(tmp_path, make_bundle, fragment):
    path = make_bundle(tmp_path / 'demo.tar.gz')
    with pytest.raises(BundleError) as error:
        read_manifest(path)
    message = str(error.value)
    assert message.startswith('cannot read %s as a plugin bundle (a gzip-compressed tar archive): ' % path)
    assert fragment in message
    assert 'check that the file is complete and is a .tar.gz plugin bundle' in message


def tar_of(members):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode='w') as archive:
        for info, data in members:
            archive.addfile(info, io.BytesIO(data) if data is not None else None)
    return raw.getvalue()


@pytest.mark.parametrize(
    'cut, tail, fragment',
    [
        pytest.param(1300, b'', 'ends inside a tar header at byte 1024', id='cut-in-a-header'),
        pytest.param(1024, b'garbage!' * 64, 'unreadable tar header at byte 1024', id='garbage-after-a-member'),
    ],
)
def test_read_manifest_rejects_an_archive_that_ends_badly(tmp_path, cut, tail, fragment):
    data = tar_of([manifest('plugin.json'), file('server/plugin', b'x' * 600)])[:cut] + tail
    path = write_raw(tmp_path / 'demo.tar.gz', data)
    with pytest.raises(BundleError, match=fragment):
        read_manifest(path)


def test_read_manifest_accepts_an_archive_without_end_blocks(tmp_path):
    """Mattermost's tar reader accepts an archive that stops right after its last member."""
    path = write_raw(tmp_path / 'demo.tar.gz', tar_of([manifest('plugin.json')])[:1024])
    assert read_manifest(path)['id'] == 'com.example.demo'


def test_read_manifest_rejects_an_empty_archive(tmp_path):
    path = write_bundle(tmp_path / 'empty.tar.gz', [])
    with pytest.raises(BundleError, match='is an empty archive') as error:
        read_manifest(path)
    assert path in str(error.value)


def test_yaml_manifest_needs_pyyaml(tmp_path, monkeypatch):
    monkeypatch.setattr(_bundle, 'HAS_YAML', False)
    path = write_bundle(tmp_path / 'demo.tar.gz', [file('demo/plugin.yml', 'id: demo\nversion: 1.0.0\n')])
    with pytest.raises(BundleError, match=r'Failed to import the required Python library \(PyYAML\)') as error:
        read_manifest(path)
    assert 'to read the YAML manifest demo/plugin.yml in %s' % path in str(error.value)
    # A JSON manifest does not need it.
    assert read_manifest(write_bundle(tmp_path / 'json.tar.gz', [manifest('demo/plugin.json')]))['id'] == 'com.example.demo'


DIGEST = hashlib.sha256(b'bundle bytes').hexdigest()


@pytest.mark.parametrize('text', ['sha256:' + DIGEST, DIGEST, 'sha256:' + DIGEST.upper(), DIGEST.upper()])
def test_parse_checksum(text):
    assert parse_checksum(text) == DIGEST


@pytest.mark.parametrize(
    'text',
    [
        'md5:' + DIGEST,
        'sha512:' + DIGEST,
        'SHA256:' + DIGEST,
        'sha256:' + DIGEST[:-1],
        DIGEST + '0',
        'sha256: ' + DIGEST,
        DIGEST + '\n',
        'sha256:' + 'g' * 64,
        '',
        None,
    ],
)
def test_parse_checksum_rejects(text):
    with pytest.raises(ValueError) as error:
        parse_checksum(text)
    assert str(error.value) == 'invalid checksum %r: expected sha256:<64 hexadecimal digits>' % (text,)


def test_sha256_file_reads_in_chunks(tmp_path):
    path = tmp_path / 'bundle.tar.gz'
    path.write_bytes(b'bundle bytes')
    assert sha256_file(str(path), chunk_size=5) == DIGEST


def test_verify_checksum(tmp_path):
    path = tmp_path / 'bundle.tar.gz'
    path.write_bytes(b'bundle bytes')
    assert verify_checksum(str(path), 'sha256:' + DIGEST.upper()) == DIGEST
    with pytest.raises(BundleError) as error:
        verify_checksum(str(path), '0' * 64)
    assert str(error.value).startswith('%s: checksum mismatch: expected sha256:%s, got sha256:%s;' % (path, '0' * 64, DIGEST))


@pytest.fixture
def cache_directory(tmp_path):
    """An empty bundle cache directory as the module makes it: private to this user."""
    directory = tmp_path / 'cache'
    directory.mkdir(mode=0o700)
    return directory


@pytest.fixture
def bundle(tmp_path):
    path = tmp_path / 'bundle.tar.gz'
    path.write_bytes(b'bundle bytes')
    return path


def test_bundle_cache_hands_over_a_private_copy_of_the_bytes_it_hashed(tmp_path, bundle):
    cache = BundleCache(str(tmp_path / 'made-by-the-cache'))
    cache.store(str(bundle), DIGEST)
    assert stat.S_IMODE(os.stat(cache.directory).st_mode) & 0o077 == 0
    assert os.listdir(cache.directory) == [DIGEST + '.tar.gz']
    copy = tmp_path / 'copy.tar.gz'
    assert cache.fetch(DIGEST, str(copy)) is True
    # Whatever happens to the cache afterwards, the copy keeps the bytes that were hashed.
    (tmp_path / 'made-by-the-cache' / (DIGEST + '.tar.gz')).write_bytes(b'planted')
    assert copy.read_bytes() == b'bundle bytes'
    assert cache.fetch(DIGEST, str(copy)) is False
    assert cache.fetch('0' * 64, str(copy)) is False
    assert BundleCache(str(tmp_path / 'missing')).fetch(DIGEST, str(copy)) is False


@pytest.mark.parametrize(
    'mode, fragment',
    [(0o770, 'is writable by its group (mode 0770)'), (0o707, 'is writable by others (mode 0707)'), (0o1777, 'is writable by group and others (mode 1777)')],
)
def test_bundle_cache_refuses_a_directory_others_can_write(tmp_path, cache_directory, bundle, mode, fragment):
    cache_directory.chmod(mode)
    for use in (lambda cache: cache.fetch(DIGEST, str(tmp_path / 'copy')), lambda cache: cache.store(str(bundle), DIGEST)):
        with pytest.raises(BundleError) as error:
            use(BundleCache(str(cache_directory)))
        assert str(error.value).startswith('the bundle cache %s %s, so a bundle planted there could be uploaded' % (cache_directory, fragment))
    assert os.listdir(str(cache_directory)) == []


def test_bundle_cache_follows_no_link(tmp_path, cache_directory, bundle):
    os.symlink(str(bundle), str(cache_directory / (DIGEST + '.tar.gz')))
    with pytest.raises(BundleError, match='in the bundle cache is a symbolic link'):
        BundleCache(str(cache_directory)).fetch(DIGEST, str(tmp_path / 'copy'))
    os.symlink(str(cache_directory), str(tmp_path / 'link'))
    with pytest.raises(BundleError, match='the bundle cache %s is a symbolic link' % (tmp_path / 'link')):
        BundleCache(str(tmp_path / 'link')).fetch(DIGEST, str(tmp_path / 'copy'))


@pytest.mark.skipif(os.geteuid() != 0, reason='giving a directory to another user needs root')
def test_bundle_cache_refuses_a_directory_of_another_user(tmp_path, cache_directory):
    os.chown(str(cache_directory), 12345, -1)
    with pytest.raises(BundleError, match='is owned by user id 12345, not by this user'):
        BundleCache(str(cache_directory)).fetch(DIGEST, str(tmp_path / 'copy'))


def test_bundle_cache_refuses_anything_but_a_regular_file(tmp_path, cache_directory):
    os.mkfifo(str(cache_directory / (DIGEST + '.tar.gz')))
    with pytest.raises(BundleError, match='in the bundle cache is not a regular file: remove it'):
        BundleCache(str(cache_directory)).fetch(DIGEST, str(tmp_path / 'copy'))
