# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""playbooks/diagnose.yml against prepared hosts (a temporary root plus the simulator): each seeded problem is named with its fix."""

import json
import os
import pwd

from support.harness import prepare_host
from support.playbooks import REPO, run_playbook


DIAGNOSE = os.path.join(REPO, 'playbooks', 'diagnose.yml')
ME = pwd.getpwuid(os.getuid()).pw_name


def diagnose(tmp_path, sim, host_vars, **extra):
    inventory = tmp_path / 'inventory.json'
    inventory.write_text(json.dumps({'mattermost': {'hosts': {'localhost': {'ansible_connection': 'local'}}}}))
    variables = dict(host_vars, mattermost_url=sim.url, mattermost_token=sim.token, **extra)
    run = run_playbook(DIAGNOSE, variables, inventory=str(inventory))
    return run, run.results.get('Report', {}).get('msg')


def test_every_seeded_problem_is_named_with_its_fix(sim, tls_sim, tmp_path):
    sim.reset(nodes=3, installed=[{'id': 'com.example.broken', 'version': '1.0.0', 'enabled': True}, {'id': 'jira', 'version': '3.0.1', 'enabled': True}])
    settings = {'Enable': True, 'EnableUploads': True, 'RequirePluginSignature': True, 'MarketplaceURL': tls_sim.url}
    host_vars = prepare_host(tmp_path, settings, workdir='/', directories=('plugins',))
    run, findings = diagnose(tmp_path, sim, host_vars, mattermost_service_user='mattermost', mattermost_diagnose_fail=True)
    assert run.rc != 0, 'diagnose must fail when asked to and something was found'
    report = '\n'.join(findings)
    expected = [
        ('PluginSettings.RequirePluginSignature is true', 'mmops.mattermost.prepackaged_plugins'),
        ('WorkingDirectory=/,', 'mmops.mattermost.service_workdir'),
        ('./client/plugins missing', 'mmops.mattermost.plugin_dirs'),
        ('plugins not owned by mattermost', 'mmops.mattermost.plugin_dirs'),
        ('does not trust the certificate of %s' % tls_sim.url, 'mmops.mattermost.ca_trust'),
    ]
    for problem, fix in expected:
        line = [finding for finding in findings if problem in finding]
        assert line and fix in line[0], (problem, report)
    broken = [finding for finding in findings if 'com.example.broken failed_to_start' in finding]
    assert len(broken) == 3 and all('plugin requires Mattermost 99.0.0' in finding for finding in broken), report
    assert 'jira' not in report
    assert len(findings) == len(expected) + 3, report
    assert sim.writes() == []


def test_plugins_and_uploads_switched_off(sim, tmp_path):
    sim.reset(config={'PluginSettings': {'Enable': False}})
    host_vars = prepare_host(tmp_path, {'Enable': False, 'EnableUploads': False}, workdir=None)
    run, findings = diagnose(tmp_path, sim, host_vars, mattermost_service_user=ME)
    report = '\n'.join(findings)
    assert run.rc == 0, run.output
    assert any('plugins are switched off' in f and 'mmops.mattermost.plugin_settings' in f for f in findings), report
    assert any('custom plugin uploads are off' in f and 'mmops.mattermost.plugin_uploads' in f for f in findings), report
    assert any('WorkingDirectory=(not set)' in f for f in findings), report
    assert any('the plugin API could not be read' in f and 'PluginSettings.Enable is false' in f for f in findings), report


def test_omnibus_uploads_are_read_from_mmomni_yml(sim, tmp_path):
    host_vars = prepare_host(tmp_path, {'Enable': True, 'EnableUploads': False}, workdir=str(tmp_path / 'opt' / 'mattermost'))
    with open(host_vars['mattermost_omnibus_config_path'], 'w') as handle:
        handle.write('db_user: mmuser\nenable_plugin_uploads: false\nenable_local_mode: true\n')
    run, findings = diagnose(tmp_path, sim, host_vars, mattermost_service_user=ME)
    assert any('enable_plugin_uploads in %s' % host_vars['mattermost_omnibus_config_path'] in f for f in findings), run.output


def test_a_healthy_host_passes(sim, tmp_path):
    sim.reset(installed=[{'id': 'jira', 'version': '3.0.1', 'enabled': True}])
    host_vars = prepare_host(tmp_path, {'Enable': True, 'EnableUploads': True}, workdir=str(tmp_path / 'opt' / 'mattermost'))
    run, findings = diagnose(tmp_path, sim, host_vars, mattermost_service_user=ME, mattermost_diagnose_fail=True)
    assert run.rc == 0, run.output
    assert findings == 'no known plugin problem found'


def test_the_connection_may_come_from_the_environment_alone(sim, tmp_path):
    """As an AWX credential gives it: MATTERMOST_URL and MATTERMOST_TOKEN, no connection variables."""
    sim.reset(installed=[{'id': 'jira', 'version': '3.0.1', 'enabled': True}])
    host_vars = prepare_host(tmp_path, {'Enable': True, 'EnableUploads': True}, workdir=str(tmp_path / 'opt' / 'mattermost'))
    inventory = tmp_path / 'inventory.json'
    inventory.write_text(json.dumps({'mattermost': {'hosts': {'localhost': {'ansible_connection': 'local'}}}}))
    run = run_playbook(
        DIAGNOSE,
        dict(host_vars, mattermost_service_user=ME, mattermost_diagnose_fail=True),
        inventory=str(inventory),
        env={'MATTERMOST_URL': sim.url, 'MATTERMOST_TOKEN': sim.token},
    )
    assert run.rc == 0, run.output
    assert run.results['Report']['msg'] == 'no known plugin problem found'
    assert any(request['path'] == '/api/v4/plugins/statuses' for request in sim.requests())
