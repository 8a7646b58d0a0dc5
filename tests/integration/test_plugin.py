# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""mmops.mattermost.plugin through ansible-playbook against the simulator."""

import hashlib

import pytest

from support.playbooks import plugin_task, run_tasks
from support.harness import fetch_bundle


def test_marketplace_install_and_enable_waits_for_every_cluster_node(sim, tmp_path):
    sim.reset(nodes=3)
    run = run_tasks(tmp_path, [plugin_task('github', id='github', state='latest', enabled=True)], sim)
    result = run.results['github']
    assert run.rc == 0, run.output
    assert result['changed'] is True
    assert result['actions'] == ['install github 2.0.1 from the Marketplace', 'enable github']
    assert [node['state'] for node in result['plugin']['nodes']] == ['running'] * 3
    assert len(set(node['cluster_id'] for node in result['plugin']['nodes'])) == 3
    # The module returned only once all three nodes ran it: the server agrees, with no wait of ours in between.
    assert [node['state'] for node in sim.plugin('github')['nodes']] == [2] * 3 or [node['state'] for node in sim.plugin('github')['nodes']] == ['running'] * 3


def test_version_pin_lands_exactly_that_version_up_and_down(sim, tmp_path):
    tasks = [
        plugin_task('pin old', id='jira', version='2.4.0', enabled=True),
        plugin_task('pin newest', id='jira', version='3.0.1'),
        plugin_task('pin back down', id='jira', version='2.4.0'),
        plugin_task('pin again', id='jira', version='2.4.0'),
    ]
    run = run_tasks(tmp_path, tasks, sim, args=['--diff'])
    assert run.rc == 0 and run.stats['failures'] == 0, run.output
    assert run.results['pin old']['plugin']['version'] == '2.4.0'
    assert run.results['pin old']['actions'][0] == 'install jira 2.4.0 from its Marketplace download URL'
    # 3.0.1 is what the server's own Marketplace install picks, so that route is used.
    assert run.results['pin newest']['actions'] == ['install jira 3.0.1 from the Marketplace']
    assert run.results['pin newest']['plugin']['version'] == '3.0.1'
    assert run.results['pin back down']['diff'] == {
        'before': {'installed': True, 'version': '3.0.1', 'enabled': True},
        'after': {'installed': True, 'version': '2.4.0', 'enabled': True},
    }
    assert run.results['pin again']['changed'] is False
    assert sim.plugin('jira')['version'] == '2.4.0'


def test_latest_takes_the_newest_version_compatible_with_the_server(sim, tmp_path):
    tasks = [
        plugin_task('latest', id='com.example.notes', state='latest'),
        plugin_task('too new', id='com.example.notes', version='2.0.0'),
        plugin_task('unknown', id='com.example.notes', version='7.7.7'),
    ]
    run = run_tasks(tmp_path, tasks, sim)
    assert run.results['latest']['plugin']['version'] == '1.1.0'
    assert 'needs Mattermost 10.0.0 or newer' in run.results['too new']['msg']
    assert 'runs 9.11.0' in run.results['too new']['msg']
    assert '7.7.7 is not in the Marketplace' in run.results['unknown']['msg']
    assert '1.0.0' in run.results['unknown']['msg'] and '2.0.0' in run.results['unknown']['msg']
    assert sim.plugin('com.example.notes')['version'] == '1.1.0'


def test_url_and_file_sources_with_checksums(sim, tmp_path):
    bundle = fetch_bundle(sim, tmp_path, 'com.example.webhooks', '0.1.0')
    digest = hashlib.sha256(bundle.read_bytes()).hexdigest()
    tasks = [
        plugin_task('file', id='com.example.webhooks', source='file', src=str(bundle), checksum='sha256:' + digest, enabled=True),
        plugin_task('url upgrade', id='com.example.webhooks', source='url', src=sim.bundle_url('com.example.webhooks', '0.2.0')),
        plugin_task('url again', id='com.example.webhooks', source='url', src=sim.bundle_url('com.example.webhooks', '0.2.0')),
        plugin_task('pinned url, no download', id='com.example.webhooks', source='url', version='0.2.0', src=sim.bundle_url('com.example.webhooks', '0.2.0')),
        plugin_task('force', id='com.example.webhooks', source='file', src=str(bundle), force=True),
    ]
    run = run_tasks(tmp_path, tasks, sim)
    assert run.stats['failures'] == 0, run.output
    assert run.results['file']['plugin']['version'] == '0.1.0'
    assert run.results['file']['plugin']['nodes'][0]['state'] == 'running'
    assert run.results['url upgrade']['plugin']['version'] == '0.2.0'
    assert run.results['url again']['changed'] is False
    assert run.results['pinned url, no download']['changed'] is False
    assert run.results['force']['changed'] is True
    assert run.results['force']['plugin']['version'] == '0.1.0'
    downloads = [r for r in sim.requests() if r['service'] == 'marketplace' and r['path'].endswith('0.2.0.tar.gz')]
    assert len(downloads) == 2, 'the pinned URL task must not download'


@pytest.mark.parametrize('kind', ['wrong checksum', 'not gzip', 'wrong plugin'])
def test_bad_bundles_fail_and_install_nothing(sim, tmp_path, kind):
    bundle = fetch_bundle(sim, tmp_path, 'com.example.webhooks', '0.1.0')
    args = dict(id='com.example.webhooks', source='file', src=str(bundle))
    expected = {
        'wrong checksum': 'checksum mismatch',
        'not gzip': 'gzip',
        'wrong plugin': 'holds plugin com.example.webhooks, not com.example.notes',
    }[kind]
    if kind == 'wrong checksum':
        args['checksum'] = 'sha256:' + '0' * 64
    elif kind == 'not gzip':
        bundle.write_bytes(b'this is not a plugin bundle')
    else:
        args['id'] = 'com.example.notes'
    run = run_tasks(tmp_path, [plugin_task('bad', **args)], sim)
    result = run.results['bad']
    assert result['failed'] is True
    assert expected in result['msg']
    assert sim.writes() == []
    assert sim.state()['plugins'] == {}


def test_check_mode_and_second_run_send_no_write(sim, tmp_path):
    sim.reset(installed=[{'id': 'zoom', 'version': '1.4.1', 'enabled': True}])
    tasks = [
        plugin_task('github', id='github', state='latest', enabled=True),
        plugin_task('jira pin', id='jira', version='2.4.0', enabled=False),
        plugin_task('zoom upgrade', id='zoom', state='latest'),
        plugin_task('welcomebot gone', id='com.mattermost.welcomebot', state='absent'),
    ]
    preview = run_tasks(tmp_path, tasks, sim, args=['--check', '--diff'])
    assert preview.stats['failures'] == 0, preview.output
    assert preview.changed == 3
    assert preview.results['zoom upgrade']['diff']['after']['version'] == '1.5.0'
    assert preview.results['github']['plugin']['enabled'] is True
    assert sim.writes() == []

    first = run_tasks(tmp_path, tasks, sim)
    assert first.changed == 3 and first.stats['failures'] == 0, first.output
    assert sim.plugin('zoom')['version'] == '1.5.0'
    sim.control('DELETE', 'requests')

    second = run_tasks(tmp_path, tasks, sim)
    assert second.changed == 0 and second.stats['failures'] == 0, second.output
    assert sim.writes() == []
    # Two reads per task (the config and the plugin statuses), plus the Marketplace listing for each
    # state=latest task, which has to ask what the newest compatible version is.
    assert len([r for r in sim.requests() if r['service'] == 'server']) == 2 * len(tasks) + 2


def test_disable_and_remove(sim, tmp_path):
    sim.reset(installed=[{'id': 'jira', 'version': '3.0.1', 'enabled': True}])
    tasks = [
        plugin_task('disable', id='jira', enabled=False),
        plugin_task('remove', id='jira', state='absent'),
        plugin_task('remove again', id='jira', state='absent'),
    ]
    run = run_tasks(tmp_path, tasks, sim)
    assert run.results['disable']['actions'] == ['disable jira']
    assert run.results['disable']['plugin']['nodes'][0]['state'] == 'not_running'
    assert run.results['remove']['actions'] == ['remove jira 3.0.1']
    assert run.results['remove']['plugin']['installed'] is False
    assert run.results['remove again']['changed'] is False
    assert sim.plugin('jira') is None


def test_plugin_failing_to_start_names_the_nodes_and_the_error(sim, tmp_path):
    sim.reset(nodes=3)
    run = run_tasks(tmp_path, [plugin_task('broken', id='com.example.broken', enabled=True, wait_timeout=20)], sim)
    result = run.results['broken']
    assert result['failed'] is True
    assert 'failed to start' in result['msg']
    assert 'plugin requires Mattermost 99.0.0' in result['msg']
    node_ids = [node['cluster_id'] for node in sim.plugin('com.example.broken')['nodes']]
    assert len(node_ids) == 3
    assert all(node_id in result['msg'] for node_id in node_ids)
    assert sorted(item['cluster_id'] for item in result['nodes']) == sorted(node_ids)


GATES = [
    (
        'uploads off',
        {'EnableUploads': False},
        dict(id='jira', version='2.4.0'),
        ['PluginSettings.EnableUploads', 'mmops.mattermost.plugin_uploads', 'newest compatible version, 3.0.1'],
    ),
    (
        'uploads off, file',
        {'EnableUploads': False},
        dict(id='com.example.webhooks', source='file', src='/nonexistent.tar.gz'),
        ['PluginSettings.EnableUploads', 'mmops.mattermost.plugin_uploads'],
    ),
    (
        'signatures required',
        {'RequirePluginSignature': True},
        dict(id='jira', version='2.4.0'),
        ['PluginSettings.RequirePluginSignature', 'prepackaged_plugins', 'Marketplace'],
    ),
    ('marketplace off', {'EnableMarketplace': False}, dict(id='github'), ['PluginSettings.EnableMarketplace', 'mmops.mattermost.plugin_settings']),
    ('plugins off', {'Enable': False}, dict(id='github'), ['PluginSettings.Enable is false', 'mmops.mattermost.plugin_settings']),
    ('remote marketplace off', {'EnableRemoteMarketplace': False}, dict(id='github'), ['EnableRemoteMarketplace is false']),
    ('insecure url', {'AllowInsecureDownloadURL': False}, dict(id='jira', version='2.4.0'), ['plain http', 'AllowInsecureDownloadURL']),
]


@pytest.mark.parametrize('settings,args,expected', [gate[1:] for gate in GATES], ids=[gate[0] for gate in GATES])
def test_server_settings_that_forbid_a_change_are_named(sim, tmp_path, settings, args, expected):
    sim.reset(config={'PluginSettings': settings})
    run = run_tasks(tmp_path, [plugin_task('gated', **args)], sim, args=['--check'])
    assert run.results['gated']['failed'] is True, run.output
    for text in expected:
        assert text in run.results['gated']['msg']
    run = run_tasks(tmp_path, [plugin_task('gated', **args)], sim)
    assert run.results['gated']['failed'] is True
    assert sim.writes() == []


@pytest.mark.parametrize(
    'args,expected',
    [
        (dict(id='jira', state='latest', version='1.0.0'), 'contradict'),
        (dict(id='jira', state='latest', source='url', src='https://example.invalid/x.tar.gz'), 'needs source=marketplace'),
        (dict(id='jira', source='file'), 'needs src'),
        (dict(id='jira', checksum='sha256:00'), 'apply to source=url and source=file only'),
        (dict(id='jira', source='url', src='ftp://example.invalid/x.tar.gz'), 'is not an http(s) URL'),
        (dict(id='jira', state='absent', version='1.0.0'), 'do not apply to state=absent'),
    ],
)
def test_contradictory_options_fail_before_any_request(sim, tmp_path, args, expected):
    run = run_tasks(tmp_path, [plugin_task('bad options', **args)], sim)
    assert run.results['bad options']['failed'] is True
    assert expected in run.results['bad options']['msg']
    assert sim.writes() == []


def test_transient_errors_are_retried(sim, tmp_path):
    sim.fault(path='^/api/v4/plugins/statuses$', status=503, times=2)
    sim.fault(path='^/api/v4/config$', status=429, times=1, retry_after=1)
    run = run_tasks(tmp_path, [plugin_task('github', id='github')], sim)
    assert run.results['github'].get('failed') is not True, run.output
    assert run.results['github']['plugin']['version'] == '2.0.1'
    statuses = [r['status'] for r in sim.requests() if r['path'] == '/api/v4/plugins/statuses']
    assert statuses[:3] == [503, 503, 200]


def test_api_errors_carry_mattermost_error_id_status_and_request(sim, tmp_path):
    sim.fault(method='POST', path='^/api/v4/plugins/marketplace$', status=500, error_id='app.plugin.marketplace_plugins.not_found.app_error', times=1)
    run = run_tasks(tmp_path, [plugin_task('github', id='github')], sim)
    result = run.results['github']
    assert result['failed'] is True
    assert result['status'] == 500
    assert result['error_id'] == 'app.plugin.marketplace_plugins.not_found.app_error'
    assert result['request'] == 'POST /api/v4/plugins/marketplace'
    assert 'POST /api/v4/plugins/marketplace failed with HTTP 500' in result['msg']


def test_unreachable_server_fails_clearly(tmp_path):
    sim = type('Down', (), {'url': 'http://127.0.0.1:9', 'token': 'x'})()
    run = run_tasks(tmp_path, [plugin_task('github', id='github', timeout=2)], sim)
    assert run.results['github']['failed'] is True
    assert 'cannot reach http://127.0.0.1:9' in run.results['github']['msg']


def test_connection_from_environment_variables(sim, tmp_path):
    env = {'MATTERMOST_URL': sim.url, 'MATTERMOST_TOKEN': sim.token}
    run = run_tasks(tmp_path, [plugin_task('github', id='github')], sim, env=env, connection_defaults=False)
    assert run.results['github'].get('failed') is not True, run.output
    assert run.results['github']['plugin']['installed'] is True


def test_bad_token_fails_with_the_error_id_and_a_hint(sim, tmp_path):
    env = {'MATTERMOST_URL': sim.url, 'MATTERMOST_TOKEN': 'not-the-token'}
    run = run_tasks(tmp_path, [plugin_task('github', id='github')], sim, env=env, connection_defaults=False)
    assert run.results['github']['error_id'] == 'api.context.session_expired.app_error'
    assert 'MATTERMOST_TOKEN' in run.results['github']['msg']


def test_token_never_appears_in_output(sim, tmp_path):
    token = 'tok-' + hashlib.sha256(b'secret').hexdigest()[:24]
    sim.reset(tokens=[token])
    default_token, sim.token = sim.token, token
    try:
        tasks = [
            plugin_task('ok', id='github', enabled=True),
            plugin_task('fails', id='jira', version='9.9.9'),
            {'name': 'show', 'ansible.builtin.debug': {'msg': 'done'}},
        ]
        run = run_tasks(tmp_path, tasks, sim, args=['-vvv', '--diff'], json_output=False, env={'MATTERMOST_TOKEN': token})
        assert 'is not in the Marketplace' in run.output
        assert token not in run.output
    finally:
        sim.reset()
        sim.token = default_token
