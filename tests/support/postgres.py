# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A throw-away PostgreSQL cluster from Debian's packages: initdb and pg_ctl in a temporary directory."""

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile

import pytest

# trust authentication: the password only has to be present in DSNs, and must never show in any output.
PASSWORD = 'db-secret-7d1e'
USER = 'mmuser'
# Mattermost's own tables of the database config store (server/config/database.go), as PostgreSQL stores them.
CONFIG_STORE_SCHEMA = """
CREATE TABLE configurations (id varchar(26) PRIMARY KEY, value text NOT NULL, createat bigint NOT NULL, active boolean NULL UNIQUE);
CREATE TABLE configurationfiles (name varchar(64) PRIMARY KEY, data text NOT NULL, createat bigint NOT NULL, updateat bigint NOT NULL);
"""


def binaries():
    """The directory of initdb/pg_ctl, or None when PostgreSQL is not installed."""
    found = sorted(glob.glob('/usr/lib/postgresql/*/bin/initdb'))
    if found:
        return os.path.dirname(found[-1])
    initdb = shutil.which('initdb')
    return os.path.dirname(initdb) if initdb else None


def missing():
    """Why no cluster can be started here, or None."""
    if binaries() is None or shutil.which('psql') is None:
        return 'PostgreSQL is not installed (apt-get install postgresql; scripts/ensure-test-packages.sh does it as root)'
    if os.geteuid() == 0:
        try:
            pwd.getpwnam('postgres')
        except KeyError:
            return 'running as root without a postgres user to run the throw-away cluster as'
        if shutil.which('runuser') is None:
            return 'running as root without runuser'
    return None


def free_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


class Cluster:
    """As root the server runs as the `postgres` user (it refuses root)."""

    def __init__(self):
        self.bindir = binaries()
        self.root = tempfile.mkdtemp(prefix='mmops-pg-')
        self.prefix = []
        if os.geteuid() == 0:
            user = pwd.getpwnam('postgres')
            os.chown(self.root, user.pw_uid, user.pw_gid)
            self.prefix = ['runuser', '-u', 'postgres', '--']
        self.port = free_port()
        self.data = os.path.join(self.root, 'data')
        self._run('initdb', '-D', self.data, '-U', USER, '-A', 'trust', '--no-sync', '-E', 'UTF8')
        self._run(
            'pg_ctl',
            '-D',
            self.data,
            '-l',
            os.path.join(self.root, 'log'),
            '-w',
            'start',
            '-o',
            '-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300' % (self.port, self.root),
        )

    def _run(self, tool, *args):
        subprocess.run(self.prefix + [os.path.join(self.bindir, tool)] + list(args), check=True, capture_output=True, cwd=self.root, timeout=120)

    def psql(self, database, sql):
        completed = subprocess.run(
            ['psql', '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', str(self.port), '-U', USER, '-d', database],
            input=sql,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        return completed.stdout.strip()

    def create_database(self, name, schema=None):
        self.psql('postgres', 'CREATE DATABASE %s;' % name)
        if schema:
            self.psql(name, schema)

    def dsn(self, database):
        return 'postgres://%s:%s@127.0.0.1:%d/%s?sslmode=disable&connect_timeout=10' % (USER, PASSWORD, self.port, database)

    def stop(self):
        self._run('pg_ctl', '-D', self.data, '-m', 'immediate', 'stop')
        shutil.rmtree(self.root, ignore_errors=True)


@contextlib.contextmanager
def running_cluster():
    """A started cluster, stopped afterwards; a test that needs one fails, saying how to get PostgreSQL, when it cannot start."""
    reason = missing()
    if reason:
        pytest.fail(reason, pytrace=False)
    cluster = Cluster()
    try:
        yield cluster
    finally:
        cluster.stop()
