# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every playbook runs with the connection given only through MATTERMOST_URL/MATTERMOST_TOKEN (as an AWX credential
gives it), and with it given only as inventory variables (#15 point 17)."""

import json
import os
import pwd

import pytest

from support.harness import prepare_host
from support.playbooks import REPO, run_playbook

PLAYBOOKS = ['site.yml', 'drift.yml', 'report.yml', 'upgrade.yml', 'diagnose.yml']


def playbook_variables(name, tmp_path):
    """What each playbook needs besides the connection, rooted in `tmp_path`."""
    if name == 'site.yml':
        return {'mattermost_plugins': [{'id': 'jira', 'enabled': True}], 'mattermost_manage_host': False}
    if name == 'drift.yml':
        return {'mattermost_drift_dir': str(tmp_path / 'drift')}
    if name == 'report.yml':
        return {'mattermost_report_dir': str(tmp_path / 'report')}
    if name == 'upgrade.yml':
        return {'mattermost_upgrade_report_path': str(tmp_path / 'upgrade.json')}
    host = prepare_host(tmp_path, {'Enable': True, 'EnableUploads': True}, workdir=str(tmp_path / 'opt' / 'mattermost'))
    return dict(host, mattermost_service_user=pwd.getpwuid(os.getuid()).pw_name, mattermost_diagnose_fail=True)


@pytest.mark.parametrize('given', ['environment', 'variables'])
@pytest.mark.parametrize('name', PLAYBOOKS)
def test_every_playbook_takes_its_connection_from_the_environment_alone_or_from_variables_alone(sim, tmp_path, name, given):
    assert not [key for key in os.environ if key.startswith('MATTERMOST_')], 'the test environment must not give a connection itself'
    sim.reset(installed=[{'id': 'jira', 'version': '3.0.1', 'enabled': True}])
    host = {'ansible_connection': 'local'}
    env = {}
    if given == 'environment':
        env = {'MATTERMOST_URL': sim.url, 'MATTERMOST_TOKEN': sim.token}
    else:
        host.update(mattermost_url=sim.url, mattermost_token=sim.token)
    inventory = tmp_path / 'inventory.json'
    inventory.write_text(json.dumps({'mattermost': {'hosts': {'chat': host}}}))
    run = run_playbook(os.path.join(REPO, 'playbooks', name), playbook_variables(name, tmp_path), inventory=str(inventory), env=env, json_output=False)
    assert run.rc == 0, run.output
    assert 'chat' in run.output and 'failed=0' in run.output, run.output
    answered = [r for r in sim.requests() if r['service'] == 'server' and r['path'].startswith('/api/v4/plugins')]
    assert answered and all(r['status'] < 400 for r in answered), answered
