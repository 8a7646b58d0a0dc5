# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""mmops.mattermost.plugin_info through ansible-playbook against the simulator."""

from support.playbooks import run_tasks


INSTALLED = [
    {'id': 'zoom', 'version': '1.4.1', 'enabled': True},
    {'id': 'github', 'version': '2.0.1', 'enabled': False},
    {'id': 'com.example.broken', 'version': '1.0.0', 'enabled': True},
]


def info_task(name, **args):
    return {'name': name, 'mmops.mattermost.plugin_info': args, 'ignore_errors': True}


def test_lists_versions_enablement_and_node_states_by_name(sim, tmp_path):
    sim.reset(nodes=3, installed=INSTALLED)
    run = run_tasks(tmp_path, [info_task('all', check_updates=True), info_task('one', id='Zoom')], sim)
    result = run.results['all']
    assert result['changed'] is False and result['server_version'] == '9.11.0'
    plugins = dict((plugin['id'], plugin) for plugin in result['plugins'])
    assert sorted(plugins) == ['com.example.broken', 'github', 'zoom']
    assert plugins['zoom']['version'] == '1.4.1' and plugins['zoom']['enabled'] is True
    assert plugins['zoom']['latest_version'] == '1.5.0' and plugins['zoom']['update_available'] is True
    assert plugins['github']['update_available'] is False and plugins['github']['enabled'] is False
    assert [node['state'] for node in plugins['github']['nodes']] == ['not_running'] * 3
    broken_states = set(node['state'] for node in plugins['com.example.broken']['nodes'])
    assert broken_states <= {'not_running', 'failed_to_start'}
    assert plugins['com.example.broken']['running'] is False
    assert [plugin['id'] for plugin in run.results['one']['plugins']] == ['zoom']
    assert 'latest_version' not in run.results['one']['plugins'][0]
    assert sim.writes() == []


def test_check_updates_with_the_marketplace_off_says_which_setting(sim, tmp_path):
    sim.reset(config={'PluginSettings': {'EnableMarketplace': False}}, installed=INSTALLED[:1])
    run = run_tasks(tmp_path, [info_task('updates', check_updates=True), info_task('plain')], sim)
    assert run.results['updates']['failed'] is True
    assert 'PluginSettings.EnableMarketplace' in run.results['updates']['msg']
    assert run.results['plain']['plugins'][0]['id'] == 'zoom'
