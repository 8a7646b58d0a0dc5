# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""mmops.mattermost.plugin_set and the plugins role through ansible-playbook against the simulator."""

from support.harness import module_examples
from support.playbooks import run_tasks


INSTALLED = [
    {'id': 'zoom', 'version': '1.4.1', 'enabled': True},
    {'id': 'jira', 'version': '3.0.1', 'enabled': True},
    {'id': 'com.github.jespino.recommend', 'version': '0.0.4', 'enabled': True},
    {'id': 'antivirus', 'version': '0.1.2', 'enabled': False},
]
DESIRED = [
    {'id': 'github', 'state': 'latest', 'enabled': True},
    {'id': 'jira', 'version': '2.4.0', 'enabled': True},
    {'id': 'zoom', 'enabled': False},
    {'id': 'com.example.notes', 'version': '1.0.0', 'enabled': True, 'settings': {'NotebookName': 'Ops notes', 'MaxNotes': 5}},
]


def set_task(name, plugins, **args):
    return {'name': name, 'mmops.mattermost.plugin_set': dict(args, plugins=plugins), 'ignore_errors': True}


def server_requests(sim):
    return [r for r in sim.requests() if r['service'] == 'server']


def test_mixed_changes_exclusive_with_keep_check_mode_then_converge_then_no_op(sim, tmp_path):
    sim.reset(installed=INSTALLED)
    task = set_task('converge', DESIRED, exclusive=True, keep=['antivirus'])

    preview = run_tasks(tmp_path, [task], sim, args=['--check', '--diff'])
    result = preview.results['converge']
    assert result.get('failed') is not True, preview.output
    assert result['changed'] is True
    assert sim.writes() == []
    assert sorted(result['diff']['after']) == ['com.example.notes', 'com.github.jespino.recommend', 'github', 'jira', 'zoom']
    assert result['diff']['after']['com.github.jespino.recommend']['installed'] is False

    converge = run_tasks(tmp_path, [task], sim)
    result = converge.results['converge']
    assert result.get('failed') is not True, converge.output
    actions = result['actions']
    for expected in (
        'install github 2.0.1 from the Marketplace',
        'enable github',
        'install jira 2.4.0 from its Marketplace download URL',
        'disable zoom',
        'install com.example.notes 1.0.0 from its Marketplace download URL',
        'enable com.example.notes',
        'remove com.github.jespino.recommend 0.0.4',
    ):
        assert expected in actions, actions
    assert not any('antivirus' in action for action in actions)
    state = sim.state()['plugins']
    assert state['jira']['version'] == '2.4.0' and state['jira']['enabled'] is True
    assert state['github']['enabled'] is True and state['zoom']['enabled'] is False
    assert state['com.example.notes']['version'] == '1.0.0'
    assert 'com.github.jespino.recommend' not in state and 'antivirus' in state
    notes = sim.state()['config']['PluginSettings']['Plugins']['com.example.notes']
    assert notes['notebookname'] == 'Ops notes' or notes.get('NotebookName') == 'Ops notes'
    # Every settings change went in one patch, before any enable.
    writes = [(r['method'], r['path']) for r in sim.writes()]
    assert writes.count(('PUT', '/api/v4/config/patch')) == 1
    assert writes.index(('PUT', '/api/v4/config/patch')) < writes.index(('POST', '/api/v4/plugins/github/enable'))
    for plugin in result['plugins']:
        if plugin['after']['enabled']:
            assert all(node['state'] == 'running' for node in plugin['plugin']['nodes']), plugin

    sim.control('DELETE', 'requests')
    again = run_tasks(tmp_path, [task], sim)
    assert again.results['converge']['changed'] is False, again.output
    assert sim.writes() == []


def test_a_no_op_converge_of_many_plugins_costs_three_reads(sim, tmp_path):
    plugins = [
        ('github', '2.0.1'),
        ('jira', '3.0.1'),
        ('zoom', '1.5.0'),
        ('antivirus', '0.1.2'),
        ('jitsi', '2.0.0'),
        ('mattermost-autolink', '1.2.1'),
        ('com.mattermost.welcomebot', '1.2.0'),
        ('com.mattermost.plugin-todo', '0.4.0'),
    ]
    sim.reset(nodes=3, installed=[{'id': plugin_id, 'version': version, 'enabled': True} for plugin_id, version in plugins])
    desired = [{'id': plugin_id, 'version': version, 'enabled': True} for plugin_id, version in plugins]
    desired[0] = {'id': 'github', 'state': 'latest', 'enabled': True}
    run = run_tasks(tmp_path, [set_task('no-op', desired, exclusive=True)], sim)
    assert run.results['no-op']['changed'] is False, run.output
    # The config, the plugin statuses and one Marketplace listing (for state=latest), whatever the number of plugins.
    assert [(r['method'], r['path']) for r in server_requests(sim)] == [
        ('GET', '/api/v4/config'),
        ('GET', '/api/v4/plugins/statuses'),
        ('GET', '/api/v4/plugins/marketplace'),
    ]


def test_a_plan_error_writes_nothing(sim, tmp_path):
    sim.reset(installed=INSTALLED)
    desired = DESIRED + [{'id': 'com.example.notes', 'version': '9.9.9'}]
    run = run_tasks(tmp_path, [set_task('duplicate', desired)], sim)
    assert 'listed more than once' in run.results['duplicate']['msg']
    bad_setting = [{'id': 'github', 'enabled': True}, {'id': 'com.example.notes', 'version': '1.0.0', 'settings': {'NoSuchSetting': 1}}]
    run = run_tasks(tmp_path, [set_task('bad setting', bad_setting)], sim)
    assert run.results['bad setting']['failed'] is True
    assert 'NoSuchSetting' in run.results['bad setting']['msg']
    assert sim.writes() == []


def test_the_plugins_role_converges_through_plugin_set(sim, tmp_path):
    sim.reset(installed=INSTALLED)
    role = {
        'name': 'plugins role',
        'ansible.builtin.include_role': {'name': 'mmops.mattermost.plugins'},
        'vars': {
            'mattermost_plugins': DESIRED[:2],
            'mattermost_plugins_exclusive': True,
            'mattermost_plugins_keep': ['zoom', 'antivirus'],
            'mattermost_url': sim.url,
            'mattermost_token': sim.token,
        },
    }
    show = {'name': 'result', 'ansible.builtin.debug': {'var': 'mattermost_plugins_result'}}
    run = run_tasks(tmp_path, [role, show], sim, connection_defaults=False)
    assert run.rc == 0, run.output
    result = run.results['result']['mattermost_plugins_result']
    assert result['changed'] is True
    state = sim.state()['plugins']
    assert sorted(state) == ['antivirus', 'github', 'jira', 'zoom']
    again = run_tasks(tmp_path, [role], sim, connection_defaults=False)
    assert again.changed == 0, again.output


def test_plugin_set_examples_run(sim, tmp_path):
    sim.reset(installed=[{'id': 'zoom', 'version': '1.5.0', 'enabled': True}, {'id': 'jitsi', 'version': '2.0.0', 'enabled': True}])
    run = run_tasks(tmp_path, module_examples('plugin_set'), sim)
    assert run.rc == 0 and run.stats.get('failures') == 0, run.output
    state = sim.state()['plugins']
    assert sorted(state) == ['com.example.notes', 'github', 'jira', 'zoom']
    assert state['jira']['version'] == '2.4.0'


def test_a_fleet_downloads_a_checksummed_bundle_once(fleet, tmp_path):
    import hashlib
    import requests

    url = '%s/bundles/com.example.webhooks-0.2.0.tar.gz' % fleet[0].marketplace_url
    digest = hashlib.sha256(requests.get(url, timeout=10).content).hexdigest()
    fleet[0].control('DELETE', 'requests')
    entry = {'id': 'com.example.webhooks', 'source': 'url', 'src': url, 'checksum': 'sha256:' + digest}
    cache = tmp_path / 'cache'
    for server in fleet:
        run = run_tasks(tmp_path, [set_task('webhooks', [entry])], server, env={'MMOPS_MATTERMOST_BUNDLE_CACHE': str(cache)})
        assert run.results['webhooks'].get('failed') is not True, run.output
        assert server.plugin('com.example.webhooks')['version'] == '0.2.0'
    downloads = [r for r in fleet[0].requests() if r['service'] == 'marketplace' and r['path'].endswith('webhooks-0.2.0.tar.gz')]
    assert len(downloads) == 1
    # A cached file that does not match its checksum is never used: the bundle is downloaded again.
    (cache / (digest + '.tar.gz')).write_bytes(b'planted')
    fleet[0].reset()
    run = run_tasks(tmp_path, [set_task('webhooks', [entry])], fleet[0], env={'MMOPS_MATTERMOST_BUNDLE_CACHE': str(cache)})
    assert run.results['webhooks'].get('failed') is not True, run.output
    assert fleet[0].plugin('com.example.webhooks')['version'] == '0.2.0'
