# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""mmops.mattermost.plugin_config (and the settings option of plugin) through ansible-playbook against the simulator."""

import pytest

from support.harness import module_examples
from support.playbooks import plugin_task, run_tasks


NOTES = 'com.example.notes'
SECRET = 'n0tes-API-k3y-7f3a9c'
FAKE_SETTING = '*' * 32


def config_task(name, **args):
    return {'name': name, 'mmops.mattermost.plugin_config': dict(id=NOTES, **args), 'ignore_errors': True}


def with_notes(sim, plugins=None, **overrides):
    config = {'PluginSettings': {'Plugins': plugins}} if plugins is not None else {}
    sim.reset(installed=[{'id': NOTES, 'version': '1.0.0', 'enabled': True}], config=config, **overrides)
    sim.control('DELETE', 'requests')


def stored(sim, plugin_id=NOTES):
    """What the server really holds (the control API is not masked)."""
    return sim.state()['config']['PluginSettings']['Plugins'].get(plugin_id)


def run_once(sim, tmp_path, task, args=()):
    sim.control('DELETE', 'requests')
    run = run_tasks(tmp_path, [task], sim, args=args)
    return run, run.results.get(task['name'], {}), sim.writes()


def run_verbose(sim, tmp_path, tasks):
    """A -vvv --diff run with Ansible's default output, as a user would see it: (run, writes)."""
    sim.control('DELETE', 'requests')
    run = run_tasks(tmp_path, tasks, sim, args=['-vvv', '--diff'], json_output=False)
    return run, sim.writes()


def test_set_change_no_op_and_purge(sim, tmp_path):
    with_notes(sim, plugins={'github': {'encryptionkey': 'kept-as-is'}})
    wanted = {'NotebookName': 'Engineering', 'MaxNotes': 500, 'Visibility': 'everyone', 'SortOrder': 'oldest'}

    run, result, writes = run_once(sim, tmp_path, config_task('set', settings=wanted), args=['--diff'])
    assert run.rc == 0 and result['changed'] is True, run.output
    assert [(w['method'], w['path']) for w in writes] == [('PUT', '/api/v4/config/patch')]
    assert stored(sim) == {'notebookname': 'Engineering', 'maxnotes': 500, 'visibility': 'everyone', 'sortorder': 'oldest'}
    assert result['diff'] == {'before': {}, 'after': stored(sim)}
    # The patch replaced the whole Plugins map: the other plugin's entry went along unchanged.
    assert stored(sim, 'github') == {'encryptionkey': 'kept-as-is'}

    run, result, writes = run_once(sim, tmp_path, config_task('again', settings=wanted))
    assert run.rc == 0 and result['changed'] is False and result['actions'] == [], run.output
    assert writes == []
    assert [r['path'] for r in sim.requests()] == ['/api/v4/config', '/api/v4/plugins']

    run, result, writes = run_once(sim, tmp_path, config_task('change', settings={'maxnotes': 50}))
    assert run.rc == 0 and result['changed'] is True, run.output
    assert result['actions'] == ['configure com.example.notes: set maxnotes']
    assert stored(sim)['maxnotes'] == 50 and stored(sim)['notebookname'] == 'Engineering'

    run, result, writes = run_once(sim, tmp_path, config_task('purge', settings={'NotebookName': 'Engineering'}, purge=True))
    assert run.rc == 0 and result['changed'] is True, run.output
    assert stored(sim) == {'notebookname': 'Engineering'}
    assert 'remove maxnotes, sortorder, visibility' in result['actions'][0]
    assert len(writes) == 1


def test_check_mode_reports_the_change_and_sends_nothing(sim, tmp_path):
    with_notes(sim, plugins={NOTES: {'maxnotes': 100}})
    run, result, writes = run_once(sim, tmp_path, config_task('preview', settings={'MaxNotes': 200}), args=['--check', '--diff'])
    assert run.rc == 0 and result['changed'] is True, run.output
    assert result['diff'] == {'before': {'maxnotes': 100}, 'after': {'maxnotes': 200}}
    assert writes == []
    assert stored(sim) == {'maxnotes': 100}


@pytest.mark.parametrize(
    'settings,message',
    [
        ({'Colour': 'red'}, "unknown setting 'Colour'; its manifest declares NotebookName, MaxNotes, Visibility, EnableSharing, APIKey, SortOrder"),
        ({'EnableSharing': 'yes please'}, "setting 'EnableSharing' (bool) takes true or false, not str 'yes please'"),
        ({'MaxNotes': '500'}, "setting 'MaxNotes' (number) takes a number, not str '500'"),
        ({'NotebookName': 42}, "setting 'NotebookName' (text) takes a string, not int 42"),
        ({'Visibility': 'public'}, "setting 'Visibility' (dropdown) takes one of 'team', 'everyone', not str 'public'"),
        ({'SortOrder': 'random'}, "setting 'SortOrder' (radio) takes one of 'newest', 'oldest', not str 'random'"),
        ({'maxnotes': 1, 'MaxNotes': 2}, 'are the same key'),
    ],
)
def test_invalid_settings_are_refused_before_any_write(sim, tmp_path, settings, message):
    with_notes(sim)
    run, result, writes = run_once(sim, tmp_path, config_task('bad', settings=settings))
    assert result.get('failed') is True, run.output
    assert message in result['msg']
    assert writes == []
    assert stored(sim) is None


def test_a_secret_never_shows_and_is_sent_only_when_missing_unless_asked(sim, tmp_path):
    with_notes(sim)
    run, writes = run_verbose(sim, tmp_path, [config_task('secret', settings={'APIKey': SECRET, 'NotebookName': 'Ops'})])
    assert run.rc == 0 and 'changed=1' in run.output and 'failed=0' in run.output, run.output
    assert len(writes) == 1 and stored(sim)['apikey'] == SECRET
    assert SECRET not in run.output
    # The diff and the result name the secret without its value; non-secret values are not hidden along with it.
    assert '<secret: new value sent>' in run.output and '"notebookname": "Ops"' in run.output

    # The server shows only a mask, so on_create leaves a stored secret alone: idempotent, no write.
    run, result, writes = run_once(sim, tmp_path, config_task('again', settings={'APIKey': 'another-one', 'NotebookName': 'Ops'}))
    assert run.rc == 0 and result['changed'] is False and writes == [], run.output
    assert result['settings'] == {'apikey': '<secret>', 'notebookname': 'Ops'}

    # Changing another setting sends the mask back for the secret, which the server reads as "keep".
    run, result, writes = run_once(sim, tmp_path, config_task('other', settings={'NotebookName': 'Ops 2'}))
    assert run.rc == 0 and result['changed'] is True, run.output
    assert stored(sim) == {'apikey': SECRET, 'notebookname': 'Ops 2'}

    # Rotation: always sends it, and says so.
    rotated = 'r0tated-' + SECRET
    run, writes = run_verbose(sim, tmp_path, [config_task('rotate', settings={'APIKey': rotated}, update_secrets='always')])
    assert run.rc == 0 and 'changed=1' in run.output and len(writes) == 1, run.output
    assert stored(sim)['apikey'] == rotated
    assert rotated not in run.output and SECRET not in run.output


def test_a_wrongly_typed_secret_is_refused_without_showing_it(sim, tmp_path):
    with_notes(sim)
    run, writes = run_verbose(sim, tmp_path, [config_task('bad secret', settings={'APIKey': 123456789})])
    assert "setting 'APIKey' (text, secret) takes a string, not int" in run.output
    assert '123456789' not in run.output
    assert writes == []

    run, result, writes = run_once(sim, tmp_path, config_task('mask', settings={'APIKey': FAKE_SETTING}))
    assert result.get('failed') is True and 'cannot be 32 asterisks' in result['msg'], run.output


def test_plugins_map_held_by_an_environment_variable_fails_naming_it(sim, tmp_path):
    with_notes(sim, environment={'PluginSettings': {'Plugins': {NOTES: {'maxnotes': 7}}}})
    run, result, writes = run_once(sim, tmp_path, config_task('env', settings={'MaxNotes': 8}))
    assert result.get('failed') is True, run.output
    assert 'MM_PLUGINSETTINGS_PLUGINS' in result['msg']
    assert writes == []
    # Nothing to change: no need to ask about the environment at all.
    run, result, writes = run_once(sim, tmp_path, config_task('same', settings={'MaxNotes': 7}))
    assert run.rc == 0 and result['changed'] is False, run.output


def test_a_plugin_that_is_not_installed_fails_pointing_to_the_plugin_module(sim, tmp_path):
    sim.control('DELETE', 'requests')
    run, result, writes = run_once(sim, tmp_path, config_task('missing', settings={'MaxNotes': 8}))
    assert result.get('failed') is True and 'install it first with mmops.mattermost.plugin' in result['msg'], run.output
    assert writes == []


def test_plugin_module_installs_configures_then_enables(sim, tmp_path):
    task = plugin_task('notes', id=NOTES, version='1.0.0', enabled=True, settings={'MaxNotes': 10, 'APIKey': SECRET})
    run, writes = run_verbose(sim, tmp_path, [task])
    assert run.rc == 0 and 'changed=1' in run.output, run.output
    # 1.0.0 is not the newest compatible release, so it comes from its download URL; its Marketplace manifest checked
    # the settings. They are written before the plugin is enabled, so it starts with them.
    assert [(w['method'], w['path']) for w in writes] == [
        ('POST', '/api/v4/plugins/install_from_url'),
        ('PUT', '/api/v4/config/patch'),
        ('POST', '/api/v4/plugins/com.example.notes/enable'),
    ]
    assert stored(sim) == {'maxnotes': 10, 'apikey': SECRET}
    assert SECRET not in run.output

    run, result, writes = run_once(sim, tmp_path, dict(task, name='again'), args=['--diff'])
    assert run.rc == 0 and result['changed'] is False and writes == [], run.output
    assert result['diff']['after']['settings'] == {'maxnotes': 10, 'apikey': '<secret>'}
    assert result['actions'] == []


def test_plugin_module_checks_settings_against_the_bundle_to_install_before_any_write(sim, tmp_path):
    sim.control('DELETE', 'requests')
    run = run_tasks(tmp_path, [plugin_task('notes', id=NOTES, version='1.0.0', settings={'Visibility': 'public'})], sim)
    result = run.results['notes']
    assert result.get('failed') is True and "takes one of 'team', 'everyone'" in result['msg'], run.output
    assert sim.writes() == []
    assert sim.plugin(NOTES) is None


def test_plugin_config_and_plugin_settings_examples_run(sim, tmp_path):
    with_notes(sim)
    extra_vars = dict(notes_api_key=SECRET, private_marketplace_url='https://marketplace.example.com')
    env = {'MATTERMOST_URL': sim.url, 'MATTERMOST_TOKEN': sim.token}
    for module in ('plugin_config', 'plugin_settings'):
        run = run_tasks(tmp_path, module_examples(module), sim, extra_vars=extra_vars, env=env, connection_defaults=False)
        assert run.rc == 0 and run.stats.get('failures') == 0, run.output
    assert stored(sim) == {'notebookname': 'Engineering notes', 'enablesharing': True}
    settings = sim.state()['config']['PluginSettings']
    assert settings['EnableRemoteMarketplace'] is False and settings['MarketplaceURL'] == 'https://marketplace.example.com'
