# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""marketplace_info, label policy, fleet upgrades and private Marketplaces, through ansible-playbook against simulators.

The catalog's com.example.notes has 1.0.0 (needs 8.0.0, Community), 1.1.0 (needs 9.5.0, Partner + Beta) and
2.0.0 (needs 10.0.0, Partner + Experimental).
"""

import json
import os

import pytest

from support.playbooks import fleet_inventory, plugin_task, REPO, run_playbook, run_tasks
from support.simulator import Simulator
from support.harness import marketplace_requests, NOTES


def info_task(name='info', **args):
    return {'name': name, 'mmops.mattermost.marketplace_info': args, 'ignore_errors': True}


@pytest.fixture(scope='module')
def other_sims(tmp_path_factory):
    """Two more simulator processes: other servers of a fleet, or another (private) Marketplace."""
    started = [Simulator(tmp_path_factory.mktemp('sim-%d' % index)) for index in range(2)]
    yield started
    for simulator in started:
        simulator.stop()


# marketplace_info


def test_listing_through_the_server_gives_labels_installed_version_and_update(sim, tmp_path):
    sim.reset(installed=[{'id': NOTES, 'version': '1.0.0', 'enabled': False}])
    run = run_tasks(tmp_path, [info_task(plugin_id=NOTES)], sim)
    result = run.results['info']
    assert run.rc == 0, run.output
    assert result['through_server'] is True and result['server_version'] == '9.11.0'
    assert result['marketplace_url'] == sim.marketplace_url
    [notes] = result['plugins']
    assert notes['id'] == NOTES and notes['version'] == '1.1.0'
    assert notes['labels'] == ['Partner', 'Beta'] and notes['release_stage'] == 'beta'
    assert notes['enterprise'] is False and notes['signed'] is True
    assert notes['download_url'] == sim.bundle_url(NOTES, '1.1.0')
    assert notes['min_server_version'] == '9.5.0'
    assert notes['installed_version'] == '1.0.0' and notes['update_available'] is True
    assert sim.writes() == []


def test_listing_filters_by_label_text_and_local_only(sim, tmp_path):
    sim.reset(installed=[{'id': NOTES, 'version': '1.0.0', 'enabled': False}])
    run = run_tasks(
        tmp_path,
        [
            info_task('beta', labels=['beta']),
            info_task('everything'),
            info_task('local', local_only=True),
            info_task('text', filter='NOTES'),
        ],
        sim,
    )
    assert run.rc == 0, run.output
    everything = run.results['everything']['plugins']
    assert [p['id'] for p in run.results['beta']['plugins']] == [p['id'] for p in everything if 'Beta' in p['labels']]
    assert NOTES in [p['id'] for p in run.results['beta']['plugins']]
    assert len(run.results['beta']['plugins']) < len(everything)
    assert [(p['id'], p['version']) for p in run.results['local']['plugins']] == [(NOTES, '1.0.0')]
    found = run.results['text']['plugins']
    assert NOTES in [p['id'] for p in found]
    assert all('notes' in (p['id'] + p['name'] + (p['description'] or '')).lower() for p in found)


def test_all_versions_for_another_server_version_read_the_configured_marketplace(sim, tmp_path):
    sim.reset(installed=[{'id': NOTES, 'version': '1.0.0', 'enabled': False}])
    run = run_tasks(
        tmp_path,
        [
            info_task('for 9.5', plugin_id=NOTES, server_version='9.5.0', all_versions=True),
            info_task(
                'every release, no server', plugin_id=NOTES, all_versions=True, marketplace_url=sim.marketplace_url, url='{{ omit }}', token='{{ omit }}'
            ),
        ],
        sim,
    )
    assert run.rc == 0, run.output
    for_95 = run.results['for 9.5']
    assert for_95['through_server'] is False and for_95['marketplace_url'] == sim.marketplace_url
    assert [(p['version'], p['installed_version'], p['update_available']) for p in for_95['plugins']] == [('1.1.0', '1.0.0', True), ('1.0.0', '1.0.0', False)]
    anywhere = run.results['every release, no server']
    assert [p['version'] for p in anywhere['plugins']] == ['2.0.0', '1.1.0', '1.0.0']
    assert anywhere['server_version'] is None
    assert all(p['installed_version'] is None for p in anywhere['plugins'])
    assert [p['labels'] for p in anywhere['plugins']] == [['Partner', 'Experimental'], ['Partner', 'Beta'], ['Community']]


@pytest.mark.parametrize(
    'config,args,message',
    [
        ({'PluginSettings': {'EnableMarketplace': False}}, {}, 'PluginSettings.EnableMarketplace is false'),
        ({'PluginSettings': {'MarketplaceURL': 'http://127.0.0.1:9'}}, {}, 'app.plugin.marketplace_client.failed_to_fetch'),
        ({}, {'marketplace_url': 'http://127.0.0.1:9'}, 'the Marketplace at http://127.0.0.1:9 cannot be read'),
        ({}, {'local_only': True, 'remote_only': True}, 'local_only and remote_only exclude each other'),
    ],
)
def test_switched_off_or_unreachable_marketplace_fails_clearly(sim, tmp_path, config, args, message):
    sim.reset(config=config)
    run = run_tasks(tmp_path, [info_task(**args)], sim)
    result = run.results['info']
    assert result.get('failed') is True, run.output
    assert message in result['msg']
    if 'failed_to_fetch' in message:
        assert 'PluginSettings.MarketplaceURL' in result['msg']


def test_remote_marketplace_off_lists_local_plugins_with_a_warning(sim, tmp_path):
    sim.reset(config={'PluginSettings': {'EnableRemoteMarketplace': False}}, installed=[{'id': NOTES, 'version': '1.0.0', 'enabled': False}])
    run = run_tasks(tmp_path, [info_task()], sim)
    result = run.results['info']
    assert run.rc == 0, run.output
    assert result['remote_marketplace'] is False
    assert [p['id'] for p in result['plugins']] == [NOTES]
    assert any('EnableRemoteMarketplace is false' in warning for warning in result['warnings'])


# Labels as policy


def test_forbidden_label_refuses_the_install_and_changes_nothing(sim, tmp_path):
    task = plugin_task('notes', id=NOTES, state='latest', enabled=True, forbidden_labels=['Beta', 'Experimental'])
    for args in ((), ('--check',)):
        run = run_tasks(tmp_path, [task], sim, args=args)
        result = run.results['notes']
        assert result.get('failed') is True, run.output
        assert result['msg'].startswith(
            'com.example.notes 1.1.0 is refused by the label policy: it carries the label Beta, which forbidden_labels forbids; nothing was changed'
        )
        assert 'Releases for Mattermost 9.11.0 the policy accepts: 1.0.0 (hold one with version)' in result['msg']
        assert result['labels'] == ['Partner', 'Beta']
    assert sim.writes() == []
    assert sim.plugin(NOTES) is None


def test_forbidden_label_refuses_an_upgrade_and_keeps_the_installed_release(sim, tmp_path):
    sim.reset(server_version='10.2.0', installed=[{'id': NOTES, 'version': '1.0.0', 'enabled': True}])
    run = run_tasks(tmp_path, [plugin_task('notes', id=NOTES, state='latest', forbidden_labels=['experimental'])], sim)
    result = run.results['notes']
    assert result.get('failed') is True, run.output
    assert 'com.example.notes 2.0.0 is refused by the label policy: it carries the label Experimental' in result['msg']
    assert 'the policy accepts: 1.1.0, 1.0.0' in result['msg']
    assert sim.writes() == []
    assert sim.plugin(NOTES)['version'] == '1.0.0'


def test_allowed_labels_let_listed_labels_through_and_refuse_others(sim, tmp_path):
    run = run_tasks(
        tmp_path,
        [
            plugin_task('community only', id=NOTES, allowed_labels=['Community']),
            plugin_task('partner beta', id=NOTES, allowed_labels=['Partner', 'Beta']),
        ],
        sim,
    )
    assert 'it carries the label Partner, which allowed_labels (Community) does not allow' in run.results['community only']['msg']
    assert run.results['partner beta']['changed'] is True, run.output
    assert sim.plugin(NOTES)['version'] == '1.1.0'


def test_a_pinned_release_is_judged_by_the_policy_too(sim, tmp_path):
    run = run_tasks(tmp_path, [plugin_task('pin', id=NOTES, version='1.1.0', forbidden_labels=['Beta'])], sim)
    assert 'com.example.notes 1.1.0 is refused by the label policy: it carries the label Beta' in run.results['pin']['msg']
    assert sim.writes() == []


@pytest.mark.parametrize(
    'args,message',
    [
        (
            dict(source='url', src='http://127.0.0.1:9/x.tar.gz', forbidden_labels=['Beta']),
            'allowed_labels and forbidden_labels judge Marketplace releases; a source=url bundle has no labels',
        ),
        (dict(allowed_labels=['Beta'], forbidden_labels=['beta']), 'label beta is both in allowed_labels and forbidden_labels'),
    ],
)
def test_label_options_that_cannot_apply_are_refused(sim, tmp_path, args, message):
    run = run_tasks(tmp_path, [plugin_task('bad', id=NOTES, **args)], sim)
    assert message in run.results['bad']['msg'], run.output
    assert sim.writes() == []


# Upgrades across a fleet


def test_rolling_upgrade_gives_each_server_its_own_newest_compatible_release(sim, other_sims, tmp_path):
    servers = [('mm-canary', sim), ('mm-9-0', other_sims[0]), ('mm-10-2', other_sims[1])]
    installed = [{'id': NOTES, 'version': '1.0.0', 'enabled': True}, {'id': 'github', 'version': '2.0.1', 'enabled': False}]
    for (dummy, server), version in zip(servers, ('9.11.0', '9.0.0', '10.2.0'), strict=True):
        server.reset(server_version=version, installed=installed)
    inventory = fleet_inventory(tmp_path / 'fleet.json', [server for name, server in servers], names=[name for name, server in servers])
    report_path = tmp_path / 'report.json'
    run = run_playbook(
        os.path.join(REPO, 'playbooks', 'upgrade.yml'), {'mattermost_upgrade_report_path': str(report_path)}, inventory=inventory, json_output=False
    )
    assert run.rc == 0, run.output
    assert [server.plugin(NOTES)['version'] for name, server in servers] == ['1.1.0', '1.0.0', '2.0.0']
    report = json.loads(report_path.read_text())
    assert report['mm-canary'] == {
        'server_version': '9.11.0',
        'upgraded': [NOTES],
        'before': {NOTES: '1.0.0', 'github': '2.0.1'},
        'after': {NOTES: '1.1.0', 'github': '2.0.1'},
    }
    assert report['mm-9-0']['upgraded'] == [] and report['mm-9-0']['after'][NOTES] == '1.0.0'
    assert report['mm-10-2']['upgraded'] == [NOTES] and report['mm-10-2']['after'][NOTES] == '2.0.0'
    # The canary ran alone, before the rest of the fleet.
    assert run.output.index('mm-canary') < run.output.index('mm-9-0')
    # Nothing left to upgrade: a second rollout changes nothing.
    again = run_playbook(os.path.join(REPO, 'playbooks', 'upgrade.yml'), {}, inventory=inventory, json_output=False)
    assert again.rc == 0 and 'changed=0' in again.output and 'changed=1' not in again.output, again.output


def test_check_updates_and_check_mode_say_what_latest_would_change_per_server(sim, other_sims, tmp_path):
    expected = {}
    for server, version, latest in ((sim, '9.11.0', '1.1.0'), (other_sims[0], '9.0.0', '1.0.0'), (other_sims[1], '10.2.0', '2.0.0')):
        server.reset(server_version=version, installed=[{'id': NOTES, 'version': '1.0.0', 'enabled': False}])
        expected[server.url] = latest
    for server in (sim,) + tuple(other_sims):
        run = run_tasks(
            tmp_path,
            [
                {'name': 'updates', 'mmops.mattermost.plugin_info': {'check_updates': True, 'id': NOTES}},
                plugin_task('preview', id=NOTES, state='latest'),
            ],
            server,
            args=('--check', '--diff'),
        )
        assert run.rc == 0, run.output
        [notes] = run.results['updates']['plugins']
        assert notes['latest_version'] == expected[server.url]
        assert notes['update_available'] is (expected[server.url] != '1.0.0')
        preview = run.results['preview']
        assert preview['changed'] is (expected[server.url] != '1.0.0')
        assert preview['diff']['after']['version'] == expected[server.url]
        assert server.writes() == []


# Private Marketplace: the server's MarketplaceURL is what every module reads


def test_modules_use_the_private_marketplace_the_server_is_configured_with(sim, other_sims, tmp_path):
    private = other_sims[0]
    private.reset()
    sim.reset(config={'PluginSettings': {'MarketplaceURL': private.marketplace_url}})
    run = run_tasks(
        tmp_path,
        [
            info_task(plugin_id=NOTES),
            plugin_task('latest', id=NOTES, state='latest'),
            plugin_task('pin', id=NOTES, version='1.0.0'),
            info_task('all', plugin_id=NOTES, all_versions=True),
        ],
        sim,
    )
    assert run.rc == 0, run.output
    assert run.results['info']['marketplace_url'] == private.marketplace_url
    assert run.results['info']['plugins'][0]['download_url'] == private.bundle_url(NOTES, '1.1.0')
    assert run.results['all']['marketplace_url'] == private.marketplace_url
    assert sim.plugin(NOTES)['version'] == '1.0.0'
    # Every Marketplace query went to the private Marketplace, none to the server's default one.
    assert marketplace_requests(sim) == []
    queries = [r['query'] for r in marketplace_requests(private)]
    assert any('plugin_id' in query and 'return_all_versions' in query for query in queries)
