# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""plugin_key on Mattermost's database config store, against a throw-away PostgreSQL cluster started here."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import glob
import json
import os
import pwd
import shutil
import socket
import subprocess
import tempfile

import pytest

from conftest import run_tasks
from test_signing import key_task, make_keys

keys = pytest.fixture(scope='module', name='keys')(make_keys)

DB_PASSWORD = 'db-secret-7d1e'
# Mattermost's own tables of the database config store (server/config/database.go), as PostgreSQL stores them.
SCHEMA = '''
CREATE TABLE configurations (id varchar(26) PRIMARY KEY, value text NOT NULL, createat bigint NOT NULL, active boolean NULL UNIQUE);
CREATE TABLE configurationfiles (name varchar(64) PRIMARY KEY, data text NOT NULL, createat bigint NOT NULL, updateat bigint NOT NULL);
'''


def postgres_binaries():
    found = sorted(glob.glob('/usr/lib/postgresql/*/bin/initdb'))
    if found:
        return os.path.dirname(found[-1])
    initdb = shutil.which('initdb')
    return os.path.dirname(initdb) if initdb else None


class Cluster:
    """initdb + pg_ctl in a temporary directory; as root the server runs as the `postgres` user (it refuses root)."""

    def __init__(self, bindir):
        self.bindir = bindir
        self.root = tempfile.mkdtemp(prefix='mmops-pg-')
        self.prefix = []
        if os.geteuid() == 0:
            user = pwd.getpwnam('postgres')
            os.chown(self.root, user.pw_uid, user.pw_gid)
            self.prefix = ['runuser', '-u', 'postgres', '--']
        with socket.socket() as probe:
            probe.bind(('127.0.0.1', 0))
            self.port = probe.getsockname()[1]
        data = os.path.join(self.root, 'data')
        self._run('initdb', '-D', data, '-U', 'mmuser', '-A', 'trust', '--no-sync', '-E', 'UTF8')
        self._run('pg_ctl', '-D', data, '-l', os.path.join(self.root, 'log'), '-w', 'start', '-o',
                  '-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off' % (self.port, self.root))
        self.data = data
        self.psql('postgres', 'CREATE DATABASE mattermost;')
        self.psql('mattermost', SCHEMA)

    def _run(self, tool, *args):
        subprocess.run(self.prefix + [os.path.join(self.bindir, tool)] + list(args), check=True, capture_output=True, cwd=self.root)

    def psql(self, database, sql):
        completed = subprocess.run(['psql', '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', str(self.port),
                                    '-U', 'mmuser', '-d', database], input=sql, capture_output=True, text=True, check=True)
        return completed.stdout.strip()

    @property
    def dsn(self):
        return 'postgres://mmuser:%s@127.0.0.1:%d/mattermost?sslmode=disable&connect_timeout=10' % (DB_PASSWORD, self.port)

    def stop(self):
        self._run('pg_ctl', '-D', self.data, '-m', 'immediate', 'stop')
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope='module')
def database():
    bindir = postgres_binaries()
    if bindir is None or shutil.which('psql') is None:
        pytest.skip('PostgreSQL is not installed (apt-get install postgresql; make integration does it as root)')
    if os.geteuid() == 0 and (shutil.which('runuser') is None or not _has_user('postgres')):
        pytest.skip('running as root without a postgres user to run the throw-away cluster as')
    cluster = Cluster(bindir)
    yield cluster
    cluster.stop()


def _has_user(name):
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def active_config(database):
    return json.loads(database.psql('mattermost', 'SELECT value FROM configurations WHERE active;'))


def test_plugin_key_adds_and_removes_a_key_in_the_database_config_store(database, keys, tmp_path):  # noqa: F811
    config = {'ServiceSettings': {'SiteURL': 'https://chat.example.com'},
              'PluginSettings': {'Enable': True, 'RequirePluginSignature': True, 'SignaturePublicKeyFiles': []}}
    database.psql('mattermost', "DELETE FROM configurationfiles; DELETE FROM configurations; INSERT INTO configurations "
                                "VALUES ('first', '%s', 1, true);" % json.dumps(config))
    add = dict(name='example-plugins.asc', src=keys.public, config_dsn=database.dsn)
    run = run_tasks(tmp_path, [dict(key_task('preview', **add), check_mode=True)])
    assert run.results['preview']['changed'] is True and database.psql('mattermost', 'SELECT count(*) FROM configurations;') == '1'
    run = run_tasks(tmp_path, [key_task('add', **add), key_task('add again', **add)])
    assert run.results['add']['changed'] is True and run.results['add']['fingerprint'] == keys.fingerprint
    assert run.results['add']['keys'] == ['example-plugins.asc']
    assert run.results['add again']['changed'] is False
    assert active_config(database)['PluginSettings']['SignaturePublicKeyFiles'] == ['example-plugins.asc']
    assert active_config(database)['ServiceSettings'] == config['ServiceSettings']
    stored = database.psql('mattermost', "SELECT data FROM configurationfiles WHERE name = 'example-plugins.asc';")
    assert stored == open(keys.public).read().strip()
    # One new active row; the previous configuration is kept, inactive (the server's own history).
    assert database.psql('mattermost', 'SELECT count(*), count(active) FROM configurations;') == '2|1'
    assert len(database.psql('mattermost', 'SELECT id FROM configurations WHERE active;')) == 26

    remove = dict(name='example-plugins.asc', state='absent', config_dsn=database.dsn)
    verbose = run_tasks(tmp_path, [key_task('remove', **remove)], args=['-vvv'], json_output=False)
    assert 'changed=1' in verbose.output and DB_PASSWORD not in verbose.output
    assert active_config(database)['PluginSettings']['SignaturePublicKeyFiles'] == []
    assert database.psql('mattermost', 'SELECT count(*) FROM configurationfiles;') == '0'
    run = run_tasks(tmp_path, [key_task('remove again', **remove)])
    assert run.results['remove again']['changed'] is False


def test_a_database_that_cannot_be_reached_fails_naming_it_without_the_password(database, keys, tmp_path):  # noqa: F811
    dsn = database.dsn.replace('/mattermost?', '/nosuchdb?')
    run = run_tasks(tmp_path, [key_task('add', name='k.asc', src=keys.public, config_dsn=dsn)])
    message = run.results['add']['msg']
    assert run.results['add']['failed'] is True and 'psql failed on database nosuchdb' in message
    assert DB_PASSWORD not in json.dumps(run.results['add'])
