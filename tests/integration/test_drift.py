# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""playbooks/drift.yml over a simulated fleet: exactly the drift that was seeded, as JSON and JUnit XML."""

import json
import os
from xml.etree import ElementTree
from support.playbooks import fleet_inventory, REPO, run_playbook


DRIFT = os.path.join(REPO, 'playbooks', 'drift.yml')
DESIRED = {
    'mattermost_plugins': [
        {'id': 'github', 'version': '2.0.1', 'enabled': True},
        {'id': 'jira', 'version': '2.4.0', 'enabled': True},
        {'id': 'com.example.notes', 'version': '1.0.0', 'enabled': True, 'settings': {'NotebookName': 'Ops'}},
    ],
    'mattermost_plugins_exclusive': True,
}
CONVERGED = dict(
    installed=[
        {'id': 'github', 'version': '2.0.1', 'enabled': True},
        {'id': 'jira', 'version': '2.4.0', 'enabled': True},
        {'id': 'com.example.notes', 'version': '1.0.0', 'enabled': True},
    ],
    config={'PluginSettings': {'Plugins': {'com.example.notes': {'notebookname': 'Ops'}}}},
)
DRIFTED = dict(
    installed=[
        {'id': 'github', 'version': '2.0.1', 'enabled': False},
        {'id': 'jira', 'version': '3.0.1', 'enabled': True},
        {'id': 'com.example.notes', 'version': '1.0.0', 'enabled': True},
        {'id': 'zoom', 'version': '1.5.0', 'enabled': True},
    ],
    config={'PluginSettings': {'Plugins': {'com.example.notes': {'notebookname': 'Someone else'}}}},
)


def drift(tmp_path, fleet, fail=False, **extra_hosts):
    inventory = fleet_inventory(tmp_path / 'inventory.json', fleet, **extra_hosts)
    report_dir = tmp_path / 'drift'
    variables = dict(DESIRED, mattermost_drift_dir=str(report_dir), mattermost_drift_fail=fail)
    run = run_playbook(DRIFT, variables, inventory=inventory)
    report = json.loads((report_dir / 'drift.json').read_text())
    junit = ElementTree.parse(str(report_dir / 'drift-junit.xml')).getroot()
    return run, report, junit


def test_drift_reports_exactly_what_differs_and_fails_when_asked(fleet, tmp_path):
    fleet[0].reset(**CONVERGED)
    fleet[1].reset(**DRIFTED)
    fleet[2].reset(**CONVERGED)
    run, report, junit = drift(tmp_path, fleet, fail=True, down={'mattermost_url': 'http://127.0.0.1:9', 'mattermost_token': 'x'})
    assert run.rc != 0, 'drift with mattermost_drift_fail must fail the run'
    assert report['drifted'] == ['server1'] and report['errors'] == ['down']
    found = dict((entry['id'], entry) for entry in report['servers']['server1']['drift'])
    assert sorted(found) == ['com.example.notes', 'github', 'jira', 'zoom']
    assert found['jira']['before']['version'] == '3.0.1' and found['jira']['after']['version'] == '2.4.0'
    assert found['github']['before']['enabled'] is False and found['github']['after']['enabled'] is True
    assert found['com.example.notes']['before']['settings'] != found['com.example.notes']['after']['settings']
    assert found['zoom']['actions'] == ['remove zoom 1.5.0']
    assert report['servers']['server0']['drift'] == [] and report['servers']['server2']['drift'] == []
    assert 'cannot reach' in report['servers']['down']['error']

    cases = dict((case.get('name'), case) for case in junit.iter('testcase'))
    assert sorted(cases) == ['down', 'server0', 'server1', 'server2']
    assert cases['server1'].find('failure') is not None and 'jira' in cases['server1'].find('failure').get('message')
    assert cases['server0'].find('failure') is None and cases['down'].find('error') is not None
    assert junit.get('failures') == '1' and junit.get('errors') == '1'
    for server in fleet:
        assert server.writes() == [], 'drift must not write'


def test_a_converged_fleet_reports_no_drift(fleet, tmp_path):
    for server in fleet:
        server.reset(**CONVERGED)
    run, report, junit = drift(tmp_path, fleet, fail=True)
    assert run.rc == 0, run.output
    assert report['drifted'] == [] and report['errors'] == []
    assert all(case.find('failure') is None for case in junit.iter('testcase'))
