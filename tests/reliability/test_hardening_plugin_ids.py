# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plugin ids are checked by Mattermost's rule before they name a file or a REST path (#15 point 10)."""

import pytest

from support.playbooks import run_tasks

ESCAPING_ID = '../escaped'


def task(module, plugin_id, src):
    entry = dict(id=plugin_id, source='url', src=src)
    options = dict(plugins=[entry]) if module == 'plugin_set' else entry
    return {'name': 'climb', 'mmops.mattermost.%s' % module: options, 'ignore_errors': True}


@pytest.mark.parametrize('in_process', [True, False], ids=['in-process', 'module'])
@pytest.mark.parametrize('module', ['plugin', 'plugin_set'])
def test_an_id_that_climbs_out_of_the_temporary_directory_is_refused_before_any_download(sim, tmp_path, module, in_process):
    # Every temporary directory of the run (the module's, the in-process worker's) lies under tmp_path/tmp.
    temporary = tmp_path / 'tmp'
    temporary.mkdir()
    env = {
        'TMPDIR': str(temporary),
        'ANSIBLE_REMOTE_TMP': str(temporary / 'remote'),
        'ANSIBLE_LOCAL_TEMP': str(temporary / 'local'),
        'MMOPS_MATTERMOST_IN_PROCESS': str(in_process).lower(),
    }
    run = run_tasks(tmp_path, [task(module, ESCAPING_ID, sim.bundle_url('com.example.webhooks', '0.2.0'))], sim, env=env)
    result = run.results['climb']
    assert result['failed'] is True, run.output
    assert "invalid plugin id '%s': a plugin id is 3 to 190 characters" % ESCAPING_ID in result['msg']
    assert [request for request in sim.requests() if request['service'] == 'marketplace'] == []
    assert sim.writes() == []
    assert list(tmp_path.rglob('escaped.tar.gz')) == [], 'the bundle was written outside the temporary directory'


def test_an_exclusive_keep_entry_is_checked_like_any_id(sim, tmp_path):
    task_args = dict(plugins=[dict(id='github')], exclusive=True, keep=['ok.plugin', 'a/b'])
    run = run_tasks(tmp_path, [{'name': 'keep', 'mmops.mattermost.plugin_set': task_args, 'ignore_errors': True}], sim)
    assert "invalid plugin id 'a/b'" in run.results['keep']['msg'], run.output
    assert sim.writes() == []
