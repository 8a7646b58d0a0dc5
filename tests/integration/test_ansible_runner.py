# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""playbooks/drift.yml through ansible-runner, the runtime AWX and Automation Platform use on their execution nodes,
with the connection injected as the AWX credential type of extensions/awx/credential-type.yml injects it."""

import json
import os
import sys

import ansible_runner
import jinja2
import yaml

from support.playbooks import collections_path, REPO


CREDENTIAL_TYPE = os.path.join(REPO, 'extensions', 'awx', 'credential-type.yml')
DESIRED = [{'id': 'github', 'state': 'present', 'enabled': True}, {'id': 'com.example.notes', 'state': 'absent'}]


def injected_environment(**inputs):
    """The environment a job gets from a credential of our type, rendered as AWX renders its injectors."""
    with open(CREDENTIAL_TYPE) as handle:
        credential_type = yaml.safe_load(handle)
    fields = set(field['id'] for field in credential_type['inputs']['fields'])
    assert set(inputs) <= fields, sorted(set(inputs) - fields)
    values = dict((name, inputs.get(name, '')) for name in fields)
    return dict(
        (name, jinja2.Template(template).render(**values))
        for name, template in credential_type['injectors']['env'].items()
        if jinja2.Template(template).render(**values)
    )


def test_the_credential_type_injects_the_variables_the_modules_fall_back_to():
    from ansible_collections.mmops.mattermost.plugins.module_utils._client import CONNECTION_ARGSPEC

    with open(CREDENTIAL_TYPE) as handle:
        injected = set(yaml.safe_load(handle)['injectors']['env'])
    fallbacks = set(name for option in ('url', 'token', 'ca_path') for name in CONNECTION_ARGSPEC[option]['fallback'][1])
    assert injected == fallbacks


def test_drift_yml_runs_under_ansible_runner_reports_the_drift_in_its_events_and_leaks_no_secret(sim, tmp_path):
    sim.reset(installed=[{'id': 'com.example.notes', 'version': '1.0.0', 'enabled': True}])
    private = tmp_path / 'runner'
    (private / 'inventory').mkdir(parents=True)
    (private / 'inventory' / 'hosts.json').write_text(
        json.dumps({'mattermost': {'hosts': {'chat': {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable}}}})
    )
    environment = injected_environment(url=sim.url, token=sim.token)
    environment.update(
        ANSIBLE_COLLECTIONS_PATH=collections_path(), ANSIBLE_NOCOLOR='1', PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get('PATH', '')
    )
    result = ansible_runner.run(
        private_data_dir=str(private),
        playbook=os.path.join(REPO, 'playbooks', 'drift.yml'),
        envvars=environment,
        quiet=True,
        ident='drift',
        # As AWX runs its jobs (AWX_RUNNER_OMIT_ENV_FILES): no env/ files.
        suppress_env_files=True,
        extravars={'mattermost_plugins': DESIRED, 'mattermost_drift_dir': str(tmp_path / 'drift')},
    )
    assert (result.status, result.rc) == ('successful', 0), result.stdout.read()
    artifacts = private / 'artifacts' / 'drift'
    assert (artifacts / 'status').read_text() == 'successful' and (artifacts / 'rc').read_text() == '0'
    summaries = [
        event['event_data']['res']['msg'] for event in result.events if event.get('event') == 'runner_on_ok' and event['event_data'].get('task') == 'Summary'
    ]
    assert summaries and summaries[0].startswith('1 of 1 servers drifted: chat'), summaries
    report = json.loads((tmp_path / 'drift' / 'drift.json').read_text())
    assert sorted(item['id'] for item in report['servers']['chat']['drift']) == ['com.example.notes', 'github']
    assert sim.writes() == []
    # ansible-runner itself records the environment it was handed in artifacts/<ident>/command (mode 0600); AWX
    # removes the private data directory after the job. What a job shows and stores - stdout, events - holds no secret.
    assert oct(os.stat(str(artifacts / 'command')).st_mode & 0o777) == '0o600'
    for root, _dirs, files in os.walk(str(artifacts)):
        for name in set(files) - {'command'}:
            with open(os.path.join(root, name), 'rb') as handle:
                assert sim.token.encode() not in handle.read(), os.path.join(root, name)
