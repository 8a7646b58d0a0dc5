# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""prepackaged_plugins runs as root: every bundle goes through the collection's reader before it is placed or unpacked.

The role runs with its paths rooted in a temporary directory; the service user is `nobody`, so that the tests see
the files given to it (they run as root, as the role does).
"""

import gzip
import hashlib
import io
import json
import os
import stat
import tarfile

import pytest

from support.harness import PASSPHRASE, signature_task
from support.playbooks import plugin_task, run_tasks


pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason='the role runs as root; giving files to the service user needs root')

PLUGIN_ID = 'com.example.unpacked'
VICTIM = 'com.example.victim'
SERVICE_USER = ('nobody', 65534)


def member(name, data=b'', kind=tarfile.REGTYPE, target='', mode=0o644):
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.mode = kind, target, mode
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    return info, data


def manifest(plugin_id=PLUGIN_ID, directory=None, version='1.0.0'):
    fields = {'id': plugin_id, 'name': 'Unpacked', 'version': version, 'server': {'executable': 'server/plugin'}}
    return member('%s/plugin.json' % (directory or plugin_id), json.dumps(fields).encode())


def write_bundle(path, *members, **kwargs):
    """A .tar.gz of `members`; GNU format, so that a name is stored as the bytes given (surrogate-escaped)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode='w', format=tarfile.GNU_FORMAT, encoding='utf-8', errors='surrogateescape') as archive:
        for info, data in members:
            archive.addfile(info, io.BytesIO(data) if info.isreg() else None)
    path.write_bytes(gzip.compress(raw.getvalue()))
    return path


def good_bundle(path, version='1.0.0'):
    return write_bundle(
        path,
        member(PLUGIN_ID, kind=tarfile.DIRTYPE, mode=0o755),
        manifest(version=version),
        member(PLUGIN_ID + '/server', kind=tarfile.DIRTYPE, mode=0o755),
        member(PLUGIN_ID + '/server/plugin', b'#!/bin/sh\necho %s\n' % version.encode(), mode=0o6755),
    )


class Host:
    """An install tree in a temporary directory, with another plugin already in the plugins directory."""

    def __init__(self, tmp_path):
        self.root = tmp_path / 'opt'
        self.plugins = self.root / 'plugins'
        self.prepackaged = self.root / 'prepackaged_plugins'
        (self.plugins / VICTIM).mkdir(parents=True)
        self.prepackaged.mkdir()
        os.chown(str(self.prepackaged), SERVICE_USER[1], SERVICE_USER[1])
        (self.plugins / VICTIM / 'plugin.json').write_text('{"id": "%s", "version": "1.0.0"}' % VICTIM)
        self.outside = tmp_path / 'outside'
        self.outside.mkdir()

    def tree(self):
        """Every path under the install tree and the outside directory, with its type, mode, owner and content."""
        seen = {}
        for top in (self.root, self.outside):
            for directory, dirs, files in os.walk(str(top)):
                for name in dirs + files:
                    path = os.path.join(directory, name)
                    status = os.lstat(path)
                    content = open(path, 'rb').read() if stat.S_ISREG(status.st_mode) else os.readlink(path) if os.path.islink(path) else None
                    seen[path] = (status.st_mode, status.st_uid, content)
        return seen


def role(host, *entries, **variables):
    values = dict(
        mattermost_prepackaged_plugins=list(entries),
        mattermost_install_dir=str(host.root),
        mattermost_user=SERVICE_USER[0],
        mattermost_group='nogroup',
        mattermost_restart=False,
        mattermost_server_version='10.5.0',
    )
    values.update(variables)
    return {'name': 'role', 'ansible.builtin.include_role': {'name': 'mmops.mattermost.prepackaged_plugins'}, 'vars': values, 'ignore_errors': True}


def failed_message(run):
    failures = [item for result in run.results.values() if result.get('failed') for item in result.get('results', [result]) if item.get('failed')]
    assert failures, run.output
    return failures[0]['msg']


def refused(tmp_path, host, entry, fragment, **variables):
    before = host.tree()
    run = run_tasks(tmp_path, [role(host, entry, **variables)])
    message = failed_message(run)
    assert fragment in message, message
    assert host.tree() == before, 'the role changed files although it refused the bundle'
    return message


@pytest.mark.parametrize(
    'members, fragment',
    [
        pytest.param([member(PLUGIN_ID + '/tty', kind=tarfile.CHRTYPE)], 'holds %s/tty, a device or FIFO' % PLUGIN_ID, id='device node'),
        pytest.param([member(PLUGIN_ID + '/../' + VICTIM + '/plugin.json', b'{}')], 'a path with a ".." component', id='dotdot member'),
        pytest.param([member('/etc/cron.d/mmops', b'* * * * * root id\n')], 'holds /etc/cron.d/mmops, an absolute path', id='absolute member'),
        pytest.param(
            [member(PLUGIN_ID + '/victim', kind=tarfile.SYMTYPE, target='../' + VICTIM)],
            'holds %s/victim, a link to ../%s outside the plugin directory %s/' % (PLUGIN_ID, VICTIM, PLUGIN_ID),
            id='symlink to another plugin directory',
        ),
        pytest.param(
            [member(PLUGIN_ID + '/hard', kind=tarfile.LNKTYPE, target=VICTIM + '/plugin.json')],
            'a link to %s/plugin.json outside the plugin directory' % VICTIM,
            id='hard link to another plugin directory',
        ),
        pytest.param([manifest(VICTIM)], 'outside the plugin directory %s/: %s/plugin.json' % (PLUGIN_ID, VICTIM), id='member outside its id directory'),
        pytest.param(
            [member(PLUGIN_ID + '/caf\udce9.js', b'x')], "holds a member whose name is not UTF-8: '%s/caf\\xe9.js'" % PLUGIN_ID, id='non-UTF-8 member name'
        ),
    ],
)
@pytest.mark.parametrize('unpack', [True, False], ids=['unpack', 'prepackaged'])
def test_an_unsafe_bundle_is_refused_with_its_member_named_and_nothing_is_changed(tmp_path, members, fragment, unpack):
    host = Host(tmp_path)
    bundle = write_bundle(tmp_path / 'bundle.tar.gz', member(PLUGIN_ID, kind=tarfile.DIRTYPE), manifest(), *members)
    message = refused(tmp_path, host, dict(src=str(bundle), unpack=unpack), fragment)
    assert 'nothing was placed' in message


def test_a_symlink_a_first_bundle_leaves_is_never_written_through_by_the_second(tmp_path):
    """The first bundle's link is refused; a link found in a plugin's directory is replaced with it, never followed."""
    host = Host(tmp_path)
    first = write_bundle(
        tmp_path / 'first.tar.gz',
        member(PLUGIN_ID, kind=tarfile.DIRTYPE),
        manifest(),
        member(PLUGIN_ID + '/server', kind=tarfile.SYMTYPE, target='../' + VICTIM),
    )
    refused(tmp_path, host, dict(src=str(first), unpack=True), 'a link to ../%s outside the plugin directory' % VICTIM)
    # As if an older tool had unpacked it: <plugins>/<id>/server points at another plugin, and outside the tree.
    (host.plugins / PLUGIN_ID).mkdir()
    os.symlink(str(host.plugins / VICTIM), str(host.plugins / PLUGIN_ID / 'server'))
    os.symlink(str(host.outside), str(host.plugins / PLUGIN_ID / 'webapp'))
    second = write_bundle(
        tmp_path / 'second.tar.gz',
        member(PLUGIN_ID, kind=tarfile.DIRTYPE),
        manifest(),
        member(PLUGIN_ID + '/server/plugin.json', b'overwritten'),
        member(PLUGIN_ID + '/webapp/x', b'x'),
    )
    run = run_tasks(tmp_path, [role(host, dict(src=str(second), unpack=True))])
    assert run.rc == 0 and run.stats['failures'] == 0, run.output
    assert (host.plugins / VICTIM / 'plugin.json').read_text().startswith('{"id"')
    assert os.listdir(str(host.outside)) == []
    assert not os.path.islink(str(host.plugins / PLUGIN_ID / 'server'))
    assert (host.plugins / PLUGIN_ID / 'server' / 'plugin.json').read_bytes() == b'overwritten'


def test_a_symlink_planted_at_the_plugin_directory_is_refused(tmp_path):
    host = Host(tmp_path)
    os.symlink(str(host.outside), str(host.plugins / PLUGIN_ID))
    bundle = good_bundle(tmp_path / 'good.tar.gz')
    refused(tmp_path, host, dict(src=str(bundle), unpack=True), '%s is a symbolic link' % (host.plugins / PLUGIN_ID))


def test_a_wrong_checksum_is_refused_and_nothing_is_changed(tmp_path):
    host = Host(tmp_path)
    bundle = good_bundle(tmp_path / 'good.tar.gz')
    for unpack in (True, False):
        refused(tmp_path, host, dict(src=str(bundle), unpack=unpack, checksum='sha256:' + '0' * 64), 'checksum mismatch')


@pytest.mark.xdist_group('keys')
def test_a_signature_by_an_untrusted_key_is_refused_and_nothing_is_placed(tmp_path, keys):
    host = Host(tmp_path)
    bundle = good_bundle(tmp_path / 'good.tar.gz')
    run = run_tasks(tmp_path, [signature_task('sign', path=str(bundle), state='signed', key_id=keys.other_fingerprint, gnupghome=keys.other_home)])
    assert run.results['sign']['changed'] is True, run.output
    refused(
        tmp_path,
        host,
        dict(src=str(bundle), signature=str(bundle) + '.sig'),
        'which is not in trusted_keys',
        mattermost_prepackaged_plugins_trusted_keys=[keys.public],
    )
    # Signed by the trusted key, it is placed with its signature.
    run = run_tasks(
        tmp_path,
        [
            signature_task('sign', path=str(bundle), state='signed', key_id=keys.fingerprint, gnupghome=keys.home, passphrase=PASSPHRASE),
            role(host, dict(src=str(bundle), signature=str(bundle) + '.sig'), mattermost_prepackaged_plugins_trusted_keys=[keys.public]),
        ],
    )
    assert run.rc == 0 and run.stats['failures'] == 0, run.output
    assert (host.prepackaged / bundle.name).read_bytes() == bundle.read_bytes()
    assert (host.prepackaged / (bundle.name + '.sig')).read_bytes() == (tmp_path / (bundle.name + '.sig')).read_bytes()


def test_a_good_bundle_is_unpacked_into_its_id_directory_for_the_service_user_and_a_second_run_changes_nothing(tmp_path):
    host = Host(tmp_path)
    bundle = good_bundle(tmp_path / 'good.tar.gz')
    digest = hashlib.sha256(bundle.read_bytes()).hexdigest()
    entry = dict(src=str(bundle), unpack=True, checksum='sha256:' + digest)
    before = host.tree()
    check = run_tasks(tmp_path, [role(host, entry)], args=['--check', '--diff'])
    assert check.rc == 0 and check.changed == 1, check.output
    assert host.tree() == before, 'check mode changed files'

    run = run_tasks(tmp_path, [role(host, entry)])
    assert run.rc == 0 and run.changed == 1, run.output
    unpacked = host.plugins / PLUGIN_ID
    executable = unpacked / 'server' / 'plugin'
    assert executable.read_bytes() == b'#!/bin/sh\necho 1.0.0\n'
    assert stat.S_IMODE(executable.stat().st_mode) == 0o755, 'setuid and setgid bits must be dropped'
    assert all(os.lstat(str(path)).st_uid == SERVICE_USER[1] for path in [unpacked, executable, unpacked / 'plugin.json'])
    assert sorted(os.listdir(str(host.plugins))) == [PLUGIN_ID, VICTIM], 'a temporary directory was left behind'

    again = run_tasks(tmp_path, [role(host, entry)])
    assert again.rc == 0 and again.changed == 0, again.output

    newer = good_bundle(tmp_path / 'newer.tar.gz', version='1.1.0')
    run = run_tasks(tmp_path, [role(host, dict(src=str(newer), unpack=True))])
    assert run.rc == 0 and run.changed == 1, run.output
    assert executable.read_bytes() == b'#!/bin/sh\necho 1.1.0\n'


def test_a_bundle_whose_directory_is_another_plugins_name_goes_into_its_manifest_id_directory(tmp_path):
    host = Host(tmp_path)
    bundle = write_bundle(
        tmp_path / 'renamed.tar.gz', member(VICTIM, kind=tarfile.DIRTYPE), manifest(directory=VICTIM), member(VICTIM + '/plugin.json.bak', b'x')
    )
    run = run_tasks(tmp_path, [role(host, dict(src=str(bundle), unpack=True))])
    assert run.rc == 0 and run.stats['failures'] == 0, run.output
    assert (host.plugins / VICTIM / 'plugin.json').read_text().startswith('{"id"')
    assert sorted(os.listdir(str(host.plugins / PLUGIN_ID))) == ['plugin.json', 'plugin.json.bak']


def test_a_good_bundle_is_placed_as_prepackaged_and_a_second_run_changes_nothing(tmp_path):
    host = Host(tmp_path)
    bundle = good_bundle(tmp_path / 'good.tar.gz')
    entry = dict(src=str(bundle), checksum='sha256:' + hashlib.sha256(bundle.read_bytes()).hexdigest())
    run = run_tasks(tmp_path, [role(host, entry)])
    assert run.rc == 0 and run.changed >= 1, run.output
    placed = host.prepackaged / bundle.name
    assert placed.read_bytes() == bundle.read_bytes() and placed.stat().st_uid == SERVICE_USER[1]
    assert stat.S_IMODE(placed.stat().st_mode) == 0o644
    again = run_tasks(tmp_path, [role(host, entry)])
    assert again.rc == 0 and again.changed == 0, again.output


@pytest.mark.parametrize(
    'name, kind, fragment',
    [
        pytest.param(PLUGIN_ID + '/caf\udce9.js', tarfile.REGTYPE, "holds a member whose name is not UTF-8: '%s/caf\\xe9.js'" % PLUGIN_ID, id='file'),
        pytest.param(PLUGIN_ID + '/caf\udce9', tarfile.CHRTYPE, "holds a member whose name is not UTF-8: '%s/caf\\xe9'" % PLUGIN_ID, id='device node'),
    ],
)
def test_a_bundle_member_with_a_non_utf8_name_is_named_in_the_error_of_the_plugin_module(sim, tmp_path, name, kind, fragment):
    """Before, a device node so named failed with a JSON serialisation error of the result, and a file was uploaded."""
    bundle = write_bundle(tmp_path / 'bundle.tar.gz', member(PLUGIN_ID, kind=tarfile.DIRTYPE), manifest(), member(name, b'x', kind=kind))
    run = run_tasks(tmp_path, [plugin_task('upload', id=PLUGIN_ID, source='file', src=str(bundle))], sim)
    assert run.results['upload'].get('failed') is True, run.output
    message = run.results['upload']['msg']
    assert fragment in message, message
    assert sim.writes() == []
