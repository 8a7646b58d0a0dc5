# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""plugin_config, plugin_settings, plugin_info and marketplace_info against the real config and plugin APIs."""

import json

from support.playbooks import plugin_task, run_tasks
from support.testplugin import PLUGIN_ID

MASK = '*' * 32
SECRET = 'e2e-empty-secret-set-9f3e'


def config_task(name, **args):
    return {'name': name, 'mmops.mattermost.plugin_config': dict(id=PLUGIN_ID, **args), 'ignore_errors': True}


def installed(mm, tmp_path):
    mm.publish_all()
    run = run_tasks(tmp_path, [plugin_task('install', id=PLUGIN_ID, enabled=True)], sim=mm)
    assert run.results['install']['changed'] is True, run.results['install']


def test_the_server_masks_every_declared_secret_set_or_not(mm, tmp_path):
    installed(mm, tmp_path)
    stored = mm.file_config()['PluginSettings']['Plugins'].get(PLUGIN_ID, {})
    shown = mm.config()['PluginSettings']['Plugins'].get(PLUGIN_ID, {})
    for key in stored:
        if key in ('apisecret', 'emptysecret'):
            assert shown[key] == MASK, (key, shown)
    assert 'emptysecret' not in stored or shown.get('emptysecret') == MASK


def test_plugin_config_sets_the_empty_secret_once_and_never_shows_it(mm, tmp_path):
    installed(mm, tmp_path)
    settings = dict(Greeting='hi from e2e', EmptySecret=SECRET)
    run = run_tasks(tmp_path, [config_task('configure', settings=settings)], sim=mm, args=['--diff'])
    result = run.results['configure']
    assert result.get('failed') is not True and result['changed'] is True, result
    stored = mm.file_config()['PluginSettings']['Plugins'][PLUGIN_ID]
    assert stored['greeting'] == 'hi from e2e' and stored['emptysecret'] == SECRET, stored
    assert SECRET not in run.output
    mm.proxy.clear()
    again = run_tasks(tmp_path, [config_task('again', settings=settings)], sim=mm, args=['--diff'])
    assert again.results['again'].get('failed') is not True and again.results['again']['changed'] is False, again.results['again']
    assert mm.writes() == [] and SECRET not in again.output


def test_plugin_config_rotates_a_secret_with_update_secrets_always(mm, tmp_path):
    installed(mm, tmp_path)
    run = run_tasks(tmp_path, [config_task('rotate', settings=dict(ApiSecret='rotated-7a1b'), update_secrets='always')], sim=mm)
    assert run.results['rotate']['changed'] is True, run.results['rotate']
    assert mm.file_config()['PluginSettings']['Plugins'][PLUGIN_ID]['apisecret'] == 'rotated-7a1b'
    assert 'rotated-7a1b' not in run.output


def test_plugin_config_refuses_an_unknown_setting_before_writing(mm, tmp_path):
    installed(mm, tmp_path)
    mm.proxy.clear()
    run = run_tasks(tmp_path, [config_task('unknown', settings=dict(NoSuchSetting=1))], sim=mm)
    assert run.results['unknown']['failed'] is True and 'NoSuchSetting' in run.results['unknown']['msg'], run.results['unknown']
    assert mm.writes() == []


def test_plugin_settings_changes_a_server_setting_and_a_second_run_sends_nothing(mm, tmp_path):
    task = {'name': 'settings', 'mmops.mattermost.plugin_settings': dict(settings=dict(EnableHealthCheck=False)), 'ignore_errors': True}
    run = run_tasks(tmp_path, [task], sim=mm)
    assert run.results['settings'].get('failed') is not True and run.results['settings']['changed'] is True, run.results['settings']
    assert mm.config()['PluginSettings']['EnableHealthCheck'] is False
    mm.proxy.clear()
    again = run_tasks(tmp_path, [dict(task, name='again')], sim=mm)
    assert again.results['again']['changed'] is False and mm.writes() == []


def test_plugin_settings_refuses_what_only_config_json_can_change(mm, tmp_path):
    task = {'name': 'uploads', 'mmops.mattermost.plugin_settings': dict(settings=dict(EnableUploads=True)), 'ignore_errors': True}
    run = run_tasks(tmp_path, [task], sim=mm)
    assert run.results['uploads']['failed'] is True and 'EnableUploads' in run.results['uploads']['msg'], run.results['uploads']
    assert mm.writes() == [] and mm.config()['PluginSettings']['EnableUploads'] is False


def test_what_the_real_api_refuses_is_reported_with_its_error(mm, tmp_path):
    """The API itself keeps some PluginSettings: sent directly, the server answers without changing them."""
    status, _headers, body = mm.api('PUT', '/config/patch', {'PluginSettings': {'EnableUploads': True}})
    assert mm.config()['PluginSettings']['EnableUploads'] is False, (status, body)


def test_plugin_info_lists_the_installed_plugin_with_its_state(mm, tmp_path):
    installed(mm, tmp_path)
    mm.proxy.clear()
    task = {'name': 'info', 'mmops.mattermost.plugin_info': dict(id=PLUGIN_ID, check_updates=True)}
    run = run_tasks(tmp_path, [task], sim=mm)
    result = run.results['info']
    assert result.get('failed') is not True and result['changed'] is False, result
    [plugin] = result['plugins']
    assert plugin['id'] == PLUGIN_ID and plugin['version'] == '1.1.0' and plugin['enabled'] is True, plugin
    assert mm.writes() == []


def test_marketplace_info_through_the_server_and_straight_from_the_marketplace(mm, tmp_path):
    mm.publish_all()
    run = run_tasks(
        tmp_path,
        [
            {'name': 'server', 'mmops.mattermost.marketplace_info': dict(plugin_id=PLUGIN_ID)},
            {
                'name': 'direct',
                'mmops.mattermost.marketplace_info': dict(
                    marketplace_url=mm.marketplace.url, plugin_id=PLUGIN_ID, server_version=mm.version, all_versions=True
                ),
            },
        ],
        sim=mm,
    )
    assert run.rc == 0, run.output
    assert [plugin['version'] for plugin in run.results['server']['plugins']] == ['1.1.0'], run.results['server']
    assert sorted(plugin['version'] for plugin in run.results['direct']['plugins']) == ['1.0.0', '1.1.0'], run.results['direct']
    assert json.dumps(run.results['server']).count(mm.token) == 0
