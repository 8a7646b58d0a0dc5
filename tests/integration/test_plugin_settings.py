# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""mmops.mattermost.plugin_settings through ansible-playbook against the simulator."""

import pytest

from support.playbooks import run_tasks


def settings_task(name, **settings):
    return {'name': name, 'mmops.mattermost.plugin_settings': {'settings': settings}, 'ignore_errors': True}


def run_once(sim, tmp_path, task, args=()):
    sim.control('DELETE', 'requests')
    run = run_tasks(tmp_path, [task], sim, args=args)
    return run, run.results.get(task['name'], {}), sim.writes()


def server_settings(sim):
    return sim.state()['config']['PluginSettings']


def test_change_only_what_differs_then_no_op(sim, tmp_path):
    task = settings_task(
        'private marketplace', EnableMarketplace=True, EnableRemoteMarketplace=True, MarketplaceURL='https://marketplace.example.com', enablehealthcheck=False
    )
    run, result, writes = run_once(sim, tmp_path, task, args=['--diff'])
    assert run.rc == 0 and result['changed'] is True, run.output
    assert result['diff'] == {
        'before': {'EnableHealthCheck': True, 'MarketplaceURL': sim.marketplace_url},
        'after': {'EnableHealthCheck': False, 'MarketplaceURL': 'https://marketplace.example.com'},
    }
    assert [(w['method'], w['path']) for w in writes] == [('PUT', '/api/v4/config/patch')]
    assert server_settings(sim)['MarketplaceURL'] == 'https://marketplace.example.com'
    assert server_settings(sim)['EnableHealthCheck'] is False
    assert result['settings']['EnableHealthCheck'] is False and 'EnableUploads' not in result['settings']

    run, result, writes = run_once(sim, tmp_path, task)
    assert run.rc == 0 and result['changed'] is False and writes == [], run.output
    # A no-op costs one read: the configuration.
    assert [r['path'] for r in sim.requests()] == ['/api/v4/config']


def test_check_mode_sends_nothing(sim, tmp_path):
    run, result, writes = run_once(sim, tmp_path, settings_task('preview', AutomaticPrepackagedPlugins=False), args=['--check'])
    assert run.rc == 0 and result['changed'] is True, run.output
    assert result['actions'] == ['set PluginSettings.AutomaticPrepackagedPlugins to False']
    assert writes == [] and server_settings(sim)['AutomaticPrepackagedPlugins'] is True


@pytest.mark.parametrize(
    'name,pointer',
    [
        ('EnableUploads', 'mmops.mattermost.plugin_uploads role'),
        ('SignaturePublicKeyFiles', 'mmops.mattermost.plugin_key module'),
        ('PluginStates', 'enabled option of mmops.mattermost.plugin'),
    ],
)
def test_settings_the_api_must_not_change_point_to_what_does(sim, tmp_path, name, pointer):
    value = {'EnableUploads': True, 'SignaturePublicKeyFiles': ['k.asc'], 'PluginStates': {}}[name]
    run, result, writes = run_once(sim, tmp_path, settings_task('protected', **{name: value}))
    assert result.get('failed') is True, run.output
    assert 'PluginSettings.%s cannot be set with mmops.mattermost.plugin_settings' % name in result['msg']
    assert pointer in result['msg']
    assert sim.requests() == [] and writes == []


@pytest.mark.parametrize(
    'settings,message',
    [
        # The default simulated server has uploads on: requiring signatures too is refused.
        (dict(RequirePluginSignature=True), 'RequirePluginSignature true while custom uploads are on'),
        (
            dict(MarketplaceURL='https://marketplace.example.com', EnableMarketplace=False),
            'MarketplaceURL is only used while the Marketplace and the remote Marketplace are on',
        ),
        (dict(EnableRemoteMarketplace=True, EnableMarketplace=False), 'EnableRemoteMarketplace true has no effect'),
        (dict(MarketplaceURL='ftp://marketplace.example.com'), 'PluginSettings.MarketplaceURL must be an http(s) URL'),
        (dict(MarketplaceURL='https://marketplace.integrations.mattermost.com'), 'PluginSettings.MarketplaceURL must be an http(s) URL'),
        (dict(Enable='yes'), "PluginSettings.Enable must be true or false, not 'yes'"),
        (dict(Directory=''), 'PluginSettings.Directory must be a non-empty path'),
        (dict(Colour='red'), "PluginSettings has no setting 'Colour'"),
    ],
)
def test_bad_values_and_forbidden_combinations_are_refused_before_any_write(sim, tmp_path, settings, message):
    run, result, writes = run_once(sim, tmp_path, settings_task('bad', **settings))
    assert result.get('failed') is True, run.output
    assert message in result['msg'] and 'nothing was changed' in result['msg']
    assert writes == []


def test_signatures_can_be_required_once_uploads_are_off(sim, tmp_path):
    sim.reset(config={'PluginSettings': {'EnableUploads': False}})
    run, result, writes = run_once(sim, tmp_path, settings_task('sign', RequirePluginSignature=True))
    assert run.rc == 0 and result['changed'] is True and len(writes) == 1, run.output
    assert server_settings(sim)['RequirePluginSignature'] is True


def test_a_setting_held_by_an_environment_variable_fails_naming_it(sim, tmp_path):
    sim.reset(environment={'PluginSettings': {'EnableHealthCheck': False}})
    run, result, writes = run_once(sim, tmp_path, settings_task('env', EnableHealthCheck=True))
    assert result.get('failed') is True, run.output
    assert 'MM_PLUGINSETTINGS_ENABLEHEALTHCHECK' in result['msg']
    assert writes == []
    # Asking for the value the environment already gives is not a change.
    run, result, writes = run_once(sim, tmp_path, settings_task('same', EnableHealthCheck=False))
    assert run.rc == 0 and result['changed'] is False, run.output


def test_plugins_can_be_switched_back_on(sim, tmp_path):
    sim.reset(config={'PluginSettings': {'Enable': False}})
    run, result, writes = run_once(sim, tmp_path, settings_task('on', Enable=True))
    assert run.rc == 0 and result['changed'] is True, run.output
    assert server_settings(sim)['Enable'] is True
