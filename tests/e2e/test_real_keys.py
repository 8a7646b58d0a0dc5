# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Trusted keys on a real server: plugin_key in the file and the database config store; signatures required."""

import pytest

from support.e2e_plugin import KEY_NAME, RealServer, start_server
from support.marketplace import Marketplace
from support.playbooks import plugin_task, run_tasks
from support.proxy import RecordingProxy
from support.testplugin import PLUGIN_ID

OTHER_KEY = 'someone-else.asc'


def key_task(title, **args):
    return {'name': title, 'mmops.mattermost.plugin_key': args, 'ignore_errors': True}


def publish_signed_by_the_other_key(mm):
    mm.publish('1.0.0', signature=mm.bundles.untrusted_signature)


def test_a_bundle_signed_by_a_new_key_installs_from_the_marketplace_only_after_plugin_key(mm, tmp_path):
    publish_signed_by_the_other_key(mm)
    before = run_tasks(tmp_path, [plugin_task('before', id=PLUGIN_ID)], sim=mm)
    assert before.results['before']['failed'] is True, before.results['before']
    assert 'signature' in before.results['before']['msg'].lower(), before.results['before']['msg']
    assert PLUGIN_ID not in mm.plugins()
    trust = run_tasks(tmp_path, [key_task('trust', name=OTHER_KEY, src=mm.signing.other_public, config_path=mm.install.config_path)], sim=mm)
    assert trust.results['trust']['changed'] is True and trust.results['trust']['reloaded'] is True, trust.results['trust']
    assert sorted(trust.results['trust']['keys']) == sorted([KEY_NAME, OTHER_KEY])
    after = run_tasks(tmp_path, [plugin_task('after', id=PLUGIN_ID, enabled=True)], sim=mm)
    assert after.results['after'].get('failed') is not True and after.results['after']['changed'] is True, after.results['after']
    again = run_tasks(tmp_path, [key_task('again', name=OTHER_KEY, src=mm.signing.other_public, config_path=mm.install.config_path)], sim=mm)
    assert again.results['again']['changed'] is False


@pytest.fixture(scope='session')
def database_store_server(server, artifacts, database_cluster, tmp_path_factory):
    """A second server of the same version, started with its config in the database (`--config postgres://...`)."""
    tmp_root = str(tmp_path_factory.mktemp('mm-%s-database' % server.name))
    marketplace = Marketplace()
    install = start_server(server.name, artifacts, database_cluster, tmp_root, marketplace, config_store='database')
    proxy = RecordingProxy(install.url)
    real = RealServer(server.name, install, proxy, marketplace, install.bootstrap_admin(), server.bundles, server.signing, tmp_root)
    real.dsn = install.state['config']
    yield real
    proxy.stop()
    marketplace.stop()
    install.stop()


def test_plugin_key_in_the_database_config_store_lets_the_server_verify_the_bundle(database_store_server, tmp_path):
    mm = database_store_server
    assert mm.config()['PluginSettings']['MarketplaceURL'] == mm.marketplace.url, 'the database store did not import config.json'
    publish_signed_by_the_other_key(mm)
    before = run_tasks(tmp_path, [plugin_task('before', id=PLUGIN_ID)], sim=mm)
    assert before.results['before']['failed'] is True and PLUGIN_ID not in mm.plugins(), before.results['before']
    trust = run_tasks(tmp_path, [key_task('trust', name=OTHER_KEY, src=mm.signing.other_public, config_dsn=mm.dsn)], sim=mm)
    assert trust.results['trust'].get('failed') is not True and trust.results['trust']['changed'] is True, trust.results['trust']
    assert mm.dsn.split('@')[0].split(':')[-1] not in trust.output
    after = run_tasks(tmp_path, [plugin_task('after', id=PLUGIN_ID, enabled=True)], sim=mm)
    assert after.results['after'].get('failed') is not True and after.results['after']['changed'] is True, after.results['after']
    assert mm.plugins()[PLUGIN_ID]['active'] is True
