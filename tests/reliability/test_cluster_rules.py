# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Mattermost's cluster rules that no Team Edition server can show, as the simulator models them from Mattermost's
sources (issue 15 points 14-16): a read-only file config store refuses config saves, a config reload is local to the
node that answers, and removing a plugin a node installed from prepackaged_plugins is local too."""

import json

import pytest
import requests

from support.harness import key_task, server_config, trusted_names
from support.playbooks import plugin_task, run_tasks


READ_ONLY = dict(nodes=3, config_store='file')
JIRA = {'id': 'jira', 'version': '3.0.1'}


def api(sim, method, path, body=None):
    response = requests.request(method, sim.url + '/api/v4' + path, json=body, timeout=10, headers={'Authorization': 'Bearer %s' % sim.token})
    return response.status_code, response.json()


def writes(sim):
    return [(w['method'], w['path'], w['status']) for w in sim.writes()]


# --- point 14: HA cluster + ReadOnlyConfig + file store ------------------------------------------------------------


def test_simulator_read_only_file_cluster_refuses_config_saves_with_mattermost_error_ids(sim):
    sim.reset(installed=[dict(JIRA, enabled=True)], **READ_ONLY)
    before = sim.state()['config']
    status, body = api(sim, 'PUT', '/config/patch', {})
    assert (status, body['id']) == (403, 'ent.cluster.save_config.error')
    status, body = api(sim, 'PUT', '/config/patch', {'PluginSettings': {'EnableMarketplace': False}})
    assert (status, body['id']) == (403, 'ent.cluster.save_config.error')
    status, body = api(sim, 'POST', '/plugins/jira/enable')
    assert (status, body['id']) == (500, 'app.plugin.cluster.save_config.app_error')
    # DisablePlugin (and RemovePlugin, which disables first) wrap every save error in app.plugin.config.app_error.
    assert api(sim, 'POST', '/plugins/jira/disable')[1]['id'] == 'app.plugin.config.app_error'
    assert api(sim, 'DELETE', '/plugins/jira')[1]['id'] == 'app.plugin.config.app_error'
    assert sim.state()['config'] == before and sim.plugin('jira')['enabled'] is True
    # The database store ignores ReadOnlyConfig (the default of a multi-node scenario), and so does a single server.
    for overrides in (dict(nodes=3), dict(nodes=3, config_store='database'), {}):
        sim.reset(**overrides)
        assert api(sim, 'PUT', '/config/patch', {})[0] == 200
    assert sim.state()['config_store'] == 'file'


def test_plugin_set_on_a_read_only_file_cluster_fails_before_any_write_naming_read_only_config(sim, tmp_path):
    sim.reset(installed=[dict(JIRA, enabled=False)], **READ_ONLY)
    task = {
        'name': 'converge',
        'ignore_errors': True,
        'mmops.mattermost.plugin_set': {'plugins': [{'id': 'github', 'state': 'latest', 'enabled': True}, {'id': 'jira', 'enabled': True}]},
    }
    run = run_tasks(tmp_path, [task], sim)
    result = run.results['converge']
    assert result['failed'] is True, run.output
    for text in ('ClusterSettings.ReadOnlyConfig', 'ClusterSettings.Enable', 'database config store', 'nothing was changed', 'enable jira'):
        assert text in result['msg'], result['msg']
    assert result['error_id'] == 'ent.cluster.save_config.error'
    # Only the probe, an empty patch the server refuses: github was not installed before the enable failed.
    assert writes(sim) == [('PUT', '/api/v4/config/patch', 403)]
    assert sim.plugin('github') is None and sim.plugin('jira')['enabled'] is False


@pytest.mark.parametrize(
    'module,args',
    [
        ('plugin', {'id': 'jira', 'state': 'absent'}),
        ('plugin_settings', {'settings': {'EnableMarketplace': False}}),
        ('plugin_config', {'id': 'com.example.notes', 'settings': {'MaxNotes': 50}}),
    ],
    ids=['plugin absent', 'plugin_settings', 'plugin_config'],
)
def test_config_writing_modules_on_a_read_only_file_cluster_name_the_setting_and_the_way_out(sim, tmp_path, module, args):
    sim.reset(installed=[dict(JIRA, enabled=True), {'id': 'com.example.notes', 'version': '1.0.0'}], **READ_ONLY)
    run = run_tasks(tmp_path, [{'name': 'write', 'ignore_errors': True, 'mmops.mattermost.' + module: args}], sim)
    result = run.results['write']
    assert result['failed'] is True, run.output
    assert 'ClusterSettings.ReadOnlyConfig' in result['msg'] and 'database config store' in result['msg'], result['msg']
    assert writes(sim) == [('PUT', '/api/v4/config/patch', 403)]
    assert sim.plugin('jira') is not None


def test_no_op_and_install_only_runs_on_a_read_only_cluster_send_no_probe(sim, tmp_path):
    sim.reset(installed=[dict(JIRA, enabled=True)], **READ_ONLY)
    run = run_tasks(tmp_path, [plugin_task('no-op', id='jira', enabled=True), plugin_task('install only', id='github', state='latest', wait=False)], sim)
    assert run.results['no-op']['changed'] is False and run.results['install only']['changed'] is True, run.output
    # Installing saves no config, so it works on a read-only cluster and needs no probe.
    assert writes(sim) == [('POST', '/api/v4/plugins/marketplace', 201)]


def test_enable_on_a_database_store_cluster_probes_once_and_enables(sim, tmp_path):
    sim.reset(installed=[dict(JIRA, enabled=False)], nodes=3, config_store='database')
    run = run_tasks(tmp_path, [plugin_task('enable', id='jira', enabled=True)], sim)
    assert run.results['enable']['changed'] is True, run.output
    assert writes(sim) == [('PUT', '/api/v4/config/patch', 200), ('POST', '/api/v4/plugins/jira/enable', 200)]


# --- point 15: a reload is local to the node that answers ----------------------------------------------------------


@pytest.mark.xdist_group('keys')
def test_plugin_key_on_a_cluster_says_every_node_must_restart_and_a_save_from_another_node_drops_the_key(keys, tmp_path, sim):
    config_dir = tmp_path / 'config'
    config_dir.mkdir()
    config = server_config(config_dir / 'config.json')
    data = json.loads(config.read_text())
    data['ClusterSettings'] = {'Enable': True, 'ReadOnlyConfig': False}
    config.write_text(json.dumps(data, indent=4))
    sim.reset(nodes=3, config_store='file', config_dir=str(config_dir), config={'ClusterSettings': {'ReadOnlyConfig': False}})
    run = run_tasks(tmp_path, [key_task('add', name='example-plugins.asc', src=keys.public, config_path=str(config))], sim)
    result = run.results['add']
    assert result['changed'] is True and result['reloaded'] is True, run.output
    assert result['restart_needed'] is True and result['cluster'] is True
    assert any('every node must restart' in warning and 'database config store' in warning for warning in result.get('warnings', [])), result
    # Why: the reload reached the answering node only; node 1 still holds the old list and a save from it writes it back.
    nodes = sim.state()['node_configs']
    memories = [nodes[node]['PluginSettings']['SignaturePublicKeyFiles'] for node in sim.state()['nodes']]
    assert memories == [['example-plugins.asc'], [], []]
    sim.control('POST', 'save_from_node', {'node': 1})
    assert trusted_names(config) == []


# --- point 16: removing a prepackaged plugin is local to the node that answers -------------------------------------

PREPACKAGED = [dict(JIRA, enabled=True, prepackaged=True)]


def test_removing_a_prepackaged_plugin_on_a_cluster_fails_naming_the_nodes_that_keep_it(sim, tmp_path):
    sim.reset(nodes=3, installed=PREPACKAGED)
    nodes = sim.state()['nodes']
    run = run_tasks(tmp_path, [plugin_task('remove', id='jira', state='absent', wait_timeout=2)], sim)
    result = run.results['remove']
    assert result['failed'] is True, run.output
    for text in ('prepackaged_plugins', 'restart', 'local to the node that answers', nodes[1], nodes[2]):
        assert text in result['msg'], result['msg']
    assert nodes[0] not in result['msg']
    assert sorted(node['cluster_id'] for node in result['nodes']) == sorted(nodes[1:])
    # Run again: the answering node has no copy, so the module says so at once instead of a DELETE answering 404.
    run = run_tasks(tmp_path, [plugin_task('again', id='jira', state='absent')], sim)
    assert run.results['again']['failed'] is True and 'the node that answers the API has no copy' in run.results['again']['msg']
    assert nodes[1] in run.results['again']['msg']
    assert [(w['method'], w['path']) for w in sim.writes()] == [('PUT', '/api/v4/config/patch'), ('DELETE', '/api/v4/plugins/jira')]


def test_removing_a_plugin_from_the_file_store_on_a_cluster_still_removes_it_everywhere(sim, tmp_path):
    sim.reset(nodes=3, installed=[dict(JIRA, enabled=True)])
    run = run_tasks(tmp_path, [plugin_task('remove', id='jira', state='absent')], sim)
    assert run.results['remove']['changed'] is True and run.results['remove']['plugin']['installed'] is False, run.output
    assert sim.plugin('jira') is None
