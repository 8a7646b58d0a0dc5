# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""DatabaseConfigStore: the environment psql runs with."""

from ansible_collections.mmops.mattermost.plugins.module_utils import _config_store


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
