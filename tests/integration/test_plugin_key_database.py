# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""plugin_key on Mattermost's database config store, against a throw-away PostgreSQL cluster started here."""

import json

import pytest

from support import postgres
from support.harness import key_task
from support.playbooks import run_tasks


DB_PASSWORD = postgres.PASSWORD


class Database:
    """The cluster's `mattermost` database, as the tests below read it."""

    def __init__(self, cluster):
        self.cluster = cluster
        self.dsn = cluster.dsn('mattermost')

    def psql(self, database, sql):
        return self.cluster.psql(database, sql)


@pytest.fixture(scope='module')
def database(config_store):
    return Database(config_store)


def active_config(database):
    return json.loads(database.psql('mattermost', 'SELECT value FROM configurations WHERE active;'))


def test_plugin_key_adds_and_removes_a_key_in_the_database_config_store(database, keys, tmp_path):
    config = {
        'ServiceSettings': {'SiteURL': 'https://chat.example.com'},
        'PluginSettings': {'Enable': True, 'RequirePluginSignature': True, 'SignaturePublicKeyFiles': []},
    }
    database.psql(
        'mattermost',
        "DELETE FROM configurationfiles; DELETE FROM configurations; INSERT INTO configurations VALUES ('first', '%s', 1, true);" % json.dumps(config),
    )
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


def test_a_database_that_cannot_be_reached_fails_naming_it_without_the_password(database, keys, tmp_path):
    dsn = database.dsn.replace('/mattermost?', '/nosuchdb?')
    run = run_tasks(tmp_path, [key_task('add', name='k.asc', src=keys.public, config_dsn=dsn)])
    message = run.results['add']['msg']
    assert run.results['add']['failed'] is True and 'psql failed on database nosuchdb' in message
    assert DB_PASSWORD not in json.dumps(run.results['add'])
