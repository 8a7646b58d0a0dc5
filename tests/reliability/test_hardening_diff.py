# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A module that edits config.json shows the value it manages, never the file: config.json holds the database
DataSource with its password (issue 15 point 5)."""

import json
import os
import shutil

import pytest

from support.playbooks import REPO, run_tasks


FIXTURE = os.path.join(REPO, 'extensions', 'molecule', 'plugin_uploads', 'files', 'config.json')
PASSWORD = 'DiffDsnPassw0rd'


@pytest.fixture
def config_json(tmp_path):
    """A config.json with uploads off and a database password in its DataSource."""
    path = tmp_path / 'config.json'
    shutil.copyfile(FIXTURE, str(path))
    path.write_text(path.read_text().replace('mmuser:mostest@', 'mmuser:%s@' % PASSWORD))
    assert json.loads(path.read_text())['PluginSettings']['EnableUploads'] is False
    return path


def uploads_task(path, check=False):
    task = {'name': 'uploads', 'mmops.mattermost.plugin_uploads_config': {'path': str(path), 'enabled': True}, 'register': 'uploads'}
    if check:
        task['check_mode'] = True
    return [task, {'name': 'registered', 'ansible.builtin.debug': {'var': 'uploads'}}]


@pytest.mark.parametrize('check', [False, True], ids=['applied', 'check_mode'])
def test_plugin_uploads_config_diff_and_result_hold_only_enable_uploads_not_the_database_password(tmp_path, config_json, check):
    run = run_tasks(tmp_path, uploads_task(config_json, check), args=['--diff'])
    result = run.results['uploads']
    assert run.rc == 0 and result['changed'], run.output
    assert result['diff'] == {
        'before': {'PluginSettings': {'EnableUploads': False}},
        'after': {'PluginSettings': {'EnableUploads': True}},
        'before_header': str(config_json),
        'after_header': str(config_json),
    }
    assert PASSWORD not in json.dumps(result) and PASSWORD not in json.dumps(run.results['registered'])
    assert PASSWORD not in run.output and 'DataSource' not in run.output
    assert json.loads(config_json.read_text())['PluginSettings']['EnableUploads'] is not check


def test_plugin_uploads_config_prints_no_database_password_at_vvv_diff(tmp_path, config_json):
    run = run_tasks(tmp_path, uploads_task(config_json), args=['-vvv', '--diff'], json_output=False)
    assert run.rc == 0 and 'EnableUploads' in run.output, run.output
    assert PASSWORD not in run.output and 'DataSource' not in run.output
