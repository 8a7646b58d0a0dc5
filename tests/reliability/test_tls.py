# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A server behind a private CA: verified with ca_path, refused clearly without it."""

from support.playbooks import plugin_task, run_tasks


def test_private_ca_through_ca_path(tls_sim, tmp_path):
    assert tls_sim.url.startswith('https://')
    tasks = [
        plugin_task('trusted', id='github', ca_path=tls_sim.ca_file),
        plugin_task('untrusted', id='jira'),
        plugin_task('unchecked', id='github', validate_certs=False),
    ]
    # requests lets REQUESTS_CA_BUNDLE replace a session's CA file: ca_path must win over it.
    run = run_tasks(tmp_path, tasks, tls_sim, env={'REQUESTS_CA_BUNDLE': tls_sim.cert_file})
    assert run.results['trusted'].get('failed') is not True, run.output
    assert run.results['trusted']['plugin']['installed'] is True
    message = run.results['untrusted']['msg']
    assert 'could not be verified' in message and 'ca_path' in message and 'mmops.mattermost.ca_trust' in message
    assert run.results['unchecked'].get('failed') is not True
    assert any('validate_certs is false' in warning for warning in run.results['unchecked']['warnings'])


def test_ca_path_from_the_environment(tls_sim, tmp_path):
    env = {'MATTERMOST_URL': tls_sim.url, 'MATTERMOST_TOKEN': tls_sim.token, 'MATTERMOST_CA_PATH': tls_sim.ca_file}
    run = run_tasks(tmp_path, [plugin_task('env', id='github')], tls_sim, env=env, connection_defaults=False)
    assert run.results['env'].get('failed') is not True, run.output
