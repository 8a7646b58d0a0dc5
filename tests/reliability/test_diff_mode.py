# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A module's result holds `diff` only in diff mode (issue 16 point 7): without --diff a registered result, a callback
and -v output carry no before/after."""

import grp
import os
import pwd

import pytest

from support.playbooks import plugin_task, run_tasks


NOTES = 'com.example.notes'


def changing_tasks(tmp_path):
    """One task per module that has a diff to show, each with a change to make (run in check mode)."""
    return [
        plugin_task('plugin', id='github'),
        {'name': 'plugin_set', 'mmops.mattermost.plugin_set': {'plugins': [{'id': 'zoom'}]}},
        {'name': 'plugin_config', 'mmops.mattermost.plugin_config': {'id': NOTES, 'settings': {'MaxNotes': 7}}},
        {'name': 'plugin_settings', 'mmops.mattermost.plugin_settings': {'settings': {'EnableHealthCheck': False}}},
        {
            'name': 'plugin_dirs',
            'mmops.mattermost.plugin_dirs': {
                'install_dir': str(tmp_path / 'mm'),
                'config_path': str(tmp_path / 'mm' / 'config.json'),
                'owner': pwd.getpwuid(os.getuid()).pw_name,
                'group': grp.getgrgid(os.getgid()).gr_name,
            },
        },
    ]


@pytest.mark.parametrize('diff', [False, True], ids=['without_diff', 'with_diff'])
def test_results_hold_diff_only_in_diff_mode(sim, tmp_path, diff):
    sim.reset(installed=[{'id': NOTES, 'version': '1.0.0', 'enabled': True}])
    (tmp_path / 'mm').mkdir()
    tasks = changing_tasks(tmp_path)
    run = run_tasks(tmp_path, tasks, sim, args=['--check'] + (['--diff'] if diff else []))
    assert run.rc == 0, run.output
    for task in tasks:
        result = run.results[task['name']]
        assert result['changed'] is True, (task['name'], result)
        assert ('diff' in result) is diff, (task['name'], result)
    assert sim.writes() == []
