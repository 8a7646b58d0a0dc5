# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""write_file_atomically: the data reaches its final mode before it replaces the file, and is on disk."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os
import stat

from ansible_collections.mmops.mattermost.plugins.module_utils import _config_store


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

    monkeypatch.setattr(_config_store.os, 'fsync', fsync)
    monkeypatch.setattr(_config_store.os, 'replace', replace)
    return seen


def test_an_existing_file_keeps_its_mode(tmp_path, monkeypatch):
    target = tmp_path / 'example.asc'
    target.write_bytes(b'old')
    target.chmod(0o640)
    seen = watch_replace(monkeypatch)
    _config_store.write_file_atomically(str(target), b'new', mode=0o600)
    assert seen == [(0o640, b'new', True)]
    assert target.read_bytes() == b'new' and stat.S_IMODE(target.stat().st_mode) == 0o640
    assert os.listdir(str(tmp_path)) == ['example.asc']


def test_a_private_key_is_never_in_place_with_the_old_wider_mode(tmp_path, monkeypatch):
    target = tmp_path / 'private.asc'
    target.write_bytes(b'an older public key')
    target.chmod(0o644)
    seen = watch_replace(monkeypatch)
    _config_store.write_file_atomically(str(target), b'secret key', mode=0o600, keep_mode=False)
    assert seen == [(0o600, b'secret key', True)]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


class PsqlHost:
    """What DatabaseConfigStore asks of its module before running anything: where psql is."""

    @staticmethod
    def get_bin_path(name):
        return '/usr/bin/%s' % name


def test_psql_gets_time_limits_and_keeps_the_users_own_server_options(monkeypatch):
    monkeypatch.delenv('PGCONNECT_TIMEOUT', raising=False)
    monkeypatch.setenv('PGOPTIONS', '-c search_path=mattermost -c statement_timeout=5min')
    env = _config_store.DatabaseConfigStore(PsqlHost(), 'postgres://mm@db.example.com/mattermost').env
    # The user's statement_timeout comes later, so it wins over the default.
    assert env['PGOPTIONS'] == '-c statement_timeout=30000 -c search_path=mattermost -c statement_timeout=5min'
    assert env['PGCONNECT_TIMEOUT'] == '10'
    monkeypatch.delenv('PGOPTIONS')
    monkeypatch.setenv('PGCONNECT_TIMEOUT', '3')
    env = _config_store.DatabaseConfigStore(PsqlHost(), 'postgres://mm@db.example.com/mattermost').env
    assert env['PGOPTIONS'] == '-c statement_timeout=30000' and env['PGCONNECT_TIMEOUT'] == '3'
    env = _config_store.DatabaseConfigStore(PsqlHost(), 'postgres://mm@db.example.com/mattermost?connect_timeout=7').env
    assert env['PGCONNECT_TIMEOUT'] == '7'
