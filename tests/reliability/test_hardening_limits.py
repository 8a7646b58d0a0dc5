# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""psql and gpg have time limits: a database or a gpg that never answers fails the task instead of hanging it (#15 point 11)."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time

import pytest


sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from support import postgres  # noqa: E402
from support.harness import key_task  # noqa: E402
from support.playbooks import plugin_task, run_tasks  # noqa: E402

# Long enough for the collection's own limits (psql connects 10 s, a statement 30 s, gpg 60 s), far shorter than forever.
HUNG = 150


@pytest.fixture
def silent_database():
    """A TCP port that accepts connections and never says a word (a stalled server, a black-holing firewall)."""
    with socket.socket() as listener:
        listener.bind(('127.0.0.1', 0))
        listener.listen(8)
        yield 'postgres://mmuser:secret@127.0.0.1:%d/mattermost' % listener.getsockname()[1]


@pytest.mark.xdist_group('keys')
def test_a_database_that_never_answers_fails_after_the_connect_timeout(tmp_path, keys, silent_database):
    started = time.time()
    run = run_tasks(tmp_path, [key_task('silent', name='example.asc', src=keys.public, config_dsn=silent_database)], timeout=HUNG)
    result = run.results['silent']
    assert result['failed'] is True, run.output
    assert 'psql failed on database mattermost at 127.0.0.1' in result['msg'] and 'timeout expired' in result['msg'], result['msg']
    assert time.time() - started < 60


@pytest.fixture(scope='module')
def database(config_store):
    config = {'PluginSettings': {'Enable': True, 'SignaturePublicKeyFiles': []}}
    config_store.psql('mattermost', "INSERT INTO configurations VALUES ('first', '%s', 1, true);" % json.dumps(config))
    return config_store


@pytest.mark.xdist_group('keys')
def test_a_statement_waiting_on_a_lock_is_cancelled_after_the_statement_timeout(tmp_path, keys, database):
    locker = subprocess.Popen(
        ['psql', '-X', '-q', '-h', '127.0.0.1', '-p', str(database.port), '-U', postgres.USER, '-d', 'mattermost'],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        # psql then waits for more input inside the transaction; killing it ends the session, and the lock with it.
        locker.stdin.write('BEGIN; LOCK TABLE configurations IN ACCESS EXCLUSIVE MODE;\n')
        locker.stdin.flush()
        while database.psql('mattermost', "SELECT count(*) FROM pg_locks WHERE mode = 'AccessExclusiveLock' AND relation = 'configurations'::regclass;") != '1':
            time.sleep(0.2)
        run = run_tasks(tmp_path, [key_task('locked', name='example.asc', src=keys.public, config_dsn=database.dsn('mattermost'))], timeout=HUNG)
    finally:
        locker.kill()
        locker.wait()
    result = run.results['locked']
    assert result['failed'] is True, run.output
    assert 'canceling statement due to statement timeout' in result['msg'], result['msg']
    assert database.psql('mattermost', 'SELECT count(*) FROM configurations;') == '1'


def hanging_gpg(directory):
    """A gpg on PATH that is the real one, except that checking a signature never ends (gpg waiting on its agent)."""
    script = directory / 'gpg'
    script.write_text('#!/bin/sh\nfor arg in "$@"; do [ "$arg" = "--verify" ] && exec sleep %d; done\nexec %s "$@"\n' % (HUNG * 2, shutil.which('gpg')))
    script.chmod(0o755)
    return str(directory) + os.pathsep + os.environ['PATH']


@pytest.mark.xdist_group('keys')
@pytest.mark.parametrize('in_process', [True, False], ids=['in-process', 'module'])
def test_a_gpg_that_never_ends_fails_the_install_after_the_gpg_timeout(sim, tmp_path, keys, in_process):
    bundle, signature = tmp_path / 'bundle.tar.gz', tmp_path / 'bundle.tar.gz.sig'
    bundle.write_bytes(b'never looked at: gpg hangs first')
    signature.write_bytes(b'never looked at either')
    env = {'PATH': hanging_gpg(tmp_path), 'MMOPS_MATTERMOST_IN_PROCESS': str(in_process).lower()}
    task = plugin_task('hung', id='com.example.notes', source='file', src=str(bundle), signature=str(signature), trusted_keys=[keys.public])
    run = run_tasks(tmp_path, [task], sim, env=env, timeout=HUNG)
    result = run.results['hung']
    assert result['failed'] is True, run.output
    assert 'gpg --verify did not finish within 60 seconds and was stopped' in result['msg'], result['msg']
    assert sim.writes() == []
