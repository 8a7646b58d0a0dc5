# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""replace_file: the data reaches its final mode before it replaces the file, and is on disk."""

import os
import shutil
import stat

import pytest


from ansible_collections.mmops.mattermost.plugins.module_utils import _files


def watch_replace(monkeypatch):
    """What the temporary file looks like at the moment it replaces the target: (mode, content, synced) per call."""
    seen, synced = [], []
    real_replace, real_fsync = os.replace, os.fsync

    def fsync(descriptor):
        synced.append(os.fstat(descriptor).st_ino)
        real_fsync(descriptor)

    def replace(source, destination):
        status = os.stat(source)
        with open(source, 'rb') as handle:
            seen.append((stat.S_IMODE(status.st_mode), handle.read(), status.st_ino in synced))
        real_replace(source, destination)

    monkeypatch.setattr(_files.os, 'fsync', fsync)
    monkeypatch.setattr(_files.os, 'replace', replace)
    return seen


def test_an_existing_file_keeps_its_mode(tmp_path, monkeypatch):
    target = tmp_path / 'example.asc'
    target.write_bytes(b'old')
    target.chmod(0o640)
    seen = watch_replace(monkeypatch)
    _files.replace_file(str(target), b'new', mode=0o600)
    assert seen == [(0o640, b'new', True)]
    assert target.read_bytes() == b'new' and stat.S_IMODE(target.stat().st_mode) == 0o640
    assert os.listdir(str(tmp_path)) == ['example.asc']


def test_a_private_key_is_never_in_place_with_the_old_wider_mode(tmp_path, monkeypatch):
    target = tmp_path / 'private.asc'
    target.write_bytes(b'an older public key')
    target.chmod(0o644)
    seen = watch_replace(monkeypatch)
    _files.replace_file(str(target), b'secret key', mode=0o600, keep_mode=False)
    assert seen == [(0o600, b'secret key', True)]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_a_new_file_has_its_mode_before_it_appears(tmp_path, monkeypatch):
    seen = watch_replace(monkeypatch)
    _files.replace_file(str(tmp_path / 'private.asc'), b'secret key', mode=0o600)
    assert seen == [(0o600, b'secret key', True)]


def test_a_streamed_file_is_written_by_its_filler_and_synced(tmp_path, monkeypatch):
    source = tmp_path / 'bundle.tar.gz'
    source.write_bytes(b'x' * (3 << 20))
    seen = watch_replace(monkeypatch)
    _files.replace_file(str(tmp_path / 'copy.tar.gz'), fill=lambda temporary: shutil.copyfile(str(source), temporary), mode=0o644)
    assert seen == [(0o644, source.read_bytes(), True)]


def test_a_failing_filler_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / 'config.json'
    target.write_bytes(b'old')

    def fail(temporary):
        with open(temporary, 'wb') as handle:
            handle.write(b'half')
        raise OSError('download broke')

    with pytest.raises(OSError, match='download broke'):
        _files.replace_file(str(target), fill=fail)
    assert target.read_bytes() == b'old' and os.listdir(str(tmp_path)) == ['config.json']


def test_a_backup_holds_the_old_content(tmp_path, bare_module):
    target = tmp_path / 'config.json'
    target.write_bytes(b'old')
    module = bare_module
    backup = _files.replace_file(str(target), b'new', module=module, backup=True)
    assert open(backup, 'rb').read() == b'old' and target.read_bytes() == b'new'
