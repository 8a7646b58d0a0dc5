# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The API modules answer the same inside Ansible's worker (the action plugins) as on the module path."""

from support.playbooks import run_tasks


NOTES = 'com.example.notes'
SECRET = 'notes-APIKey-paths-5c1f'

# Valid, invalid and hidden input for every module with an action plugin; check mode keeps the server as it is,
# so both runs see the same server.
TASKS = [
    ('unsupported option', 'plugin', dict(id='github', colour='blue')),
    ('wrong type', 'plugin_info', dict(timeout='soon')),
    ('wrong choice', 'plugin', dict(id='github', state='gone')),
    ('missing required option', 'plugin_set', dict()),
    ('mutually exclusive', 'plugin', dict(id='github', version='2.0.0', src='https://example.com/x.tar.gz')),
    ('install', 'plugin', dict(id='github')),
    ('set with a secret setting', 'plugin_set', dict(plugins=[dict(id=NOTES, settings={'APIKey': SECRET})])),
    ('configure with a secret', 'plugin_config', dict(id=NOTES, settings={'APIKey': SECRET, 'NotebookName': 'Ops'})),
    ('unknown plugin setting', 'plugin_config', dict(id=NOTES, settings={'NoSuchSetting': 1})),
    ('server setting', 'plugin_settings', dict(settings={'EnableUploads': True})),
    ('unknown server setting', 'plugin_settings', dict(settings={'EnableTeleport': True})),
    ('info', 'plugin_info', dict(check_updates=True)),
    ('listing', 'marketplace_info', dict(filter='zoom')),
    ('listing without a server', 'marketplace_info', dict(url=None, token=None)),
    ('unreachable server', 'plugin_info', dict(url='http://127.0.0.1:9', timeout=2)),
]


def paths_run(sim, tmp_path, in_process, args=(), json_output=True):
    tasks = [{'name': name, 'mmops.mattermost.%s' % module: options, 'register': 'result', 'ignore_errors': True} for name, module, options in TASKS]
    workdir = tmp_path / ('in-process' if in_process else 'module')
    workdir.mkdir(exist_ok=True)
    return run_tasks(
        workdir, tasks, sim, args=['--check', '--diff'] + list(args), json_output=json_output, env={'MMOPS_MATTERMOST_IN_PROCESS': str(in_process).lower()}
    )


def test_both_execution_paths_return_the_same_results_messages_diffs_and_censoring(sim, tmp_path):
    sim.reset(installed=[{'id': NOTES, 'version': '1.0.0', 'enabled': True}])
    in_process, module = paths_run(sim, tmp_path, True), paths_run(sim, tmp_path, False)
    assert sim.writes() == []
    assert list(in_process.results) == [task[0] for task in TASKS]
    for name in in_process.results:
        assert in_process.results[name] == module.results[name], name
    results = in_process.results
    assert 'Unsupported parameters for (mmops.mattermost.plugin) module: colour' in results['unsupported option']['msg']
    assert results['missing required option']['msg'] == 'missing required arguments: plugins'
    assert results['install']['changed'] is True and 'diff' in results['install']
    assert results['configure with a secret']['invocation']['module_args']['settings']['APIKey'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
    assert SECRET not in repr(results)
    assert results['listing without a server']['msg'] == 'one of url (or MATTERMOST_URL) and marketplace_url is required'
    assert results['unreachable server']['failed'] is True
    assert in_process.stats == module.stats


def test_on_the_controller_the_api_modules_start_no_python_process_unless_forced(sim, tmp_path):
    sim.reset()
    runs = dict((in_process, paths_run(sim, tmp_path, in_process, args=['-vvv'], json_output=False)) for in_process in (True, False))
    assert runs[True].output.count('Using module file') == 0, runs[True].output
    assert runs[False].output.count('Using module file') == len(TASKS), runs[False].output
