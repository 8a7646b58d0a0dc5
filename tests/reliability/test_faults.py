# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Transport faults injected by the simulator: what is retried, and what fails clearly and in time."""

import json
import socket
import time

from support.playbooks import fleet_inventory, plugin_task, run_playbook, run_tasks


def statuses_answers(sim):
    return [r['status'] for r in sim.requests() if r['path'] == '/api/v4/plugins/statuses']


def test_connection_resets_are_retried(sim, tmp_path):
    sim.fault(path='^/api/v4/plugins/statuses$', reset=True, times=2)
    run = run_tasks(tmp_path, [plugin_task('github', id='github')], sim)
    assert run.results['github'].get('failed') is not True, run.output
    assert run.results['github']['plugin']['installed'] is True
    assert statuses_answers(sim)[:3] == [0, 0, 200]


def test_a_burst_longer_than_the_retries_fails_with_the_status(sim, tmp_path):
    sim.fault(path='^/api/v4/plugins/statuses$', status=502, times=-1)
    run = run_tasks(tmp_path, [plugin_task('github', id='github')], sim)
    result = run.results['github']
    assert result['failed'] is True
    assert 'GET /api/v4/plugins/statuses failed with HTTP 502' in result['msg']
    # The first try and three retries, then no more.
    assert statuses_answers(sim) == [502] * 4
    assert sim.writes() == []


def test_an_answer_slower_than_the_timeout_fails_within_it(sim, tmp_path):
    # Far longer than a loaded machine needs to start ansible-playbook, so the bound below is about the timeout.
    sim.fault(path='^/api/v4/config$', delay=20, times=1)
    started = time.time()
    run = run_tasks(tmp_path, [plugin_task('github', id='github', timeout=1)], sim)
    elapsed = time.time() - started
    result = run.results['github']
    assert result['failed'] is True
    assert 'GET /api/v4/config: no answer from' in result['msg'] and 'within 1.0 seconds' in result['msg']
    # A slow server is not retried: the run ends well before the slow answer would have come.
    assert elapsed < 20, elapsed
    assert sim.writes() == []


def test_429_waits_the_retry_after_it_names(sim, tmp_path):
    sim.fault(path='^/api/v4/plugins/statuses$', status=429, error_id='api.context.rate_limit.app_error', retry_after=2, times=1)
    run = run_tasks(tmp_path, [plugin_task('github', id='github')], sim)
    assert run.results['github'].get('failed') is not True, run.output
    assert run.results['github']['plugin']['installed'] is True
    limited, retried = [r for r in sim.requests() if r['path'] == '/api/v4/plugins/statuses'][:2]
    assert (limited['status'], retried['status']) == (429, 200)
    # Retry-After: 2 was honoured, not the 0.5 s backoff of a plain retry, and not much more.
    assert 2 <= retried['time'] - limited['time'] < 4, retried['time'] - limited['time']


def stop_answering(sim, **fault):
    """A task that makes the server fail every later request of the run (the control API stays up)."""
    body = dict(dict(service='server', path='.*', times=-1), **fault)
    return {
        'name': 'the server stops answering',
        'ansible.builtin.uri': {'url': sim.url + '/__sim/faults', 'method': 'POST', 'body_format': 'json', 'body': body},
    }


def test_a_server_that_drops_every_connection_mid_run_fails_the_next_task_clearly(sim, tmp_path):
    started = time.time()
    run = run_tasks(tmp_path, [plugin_task('before', id='github'), stop_answering(sim, reset=True), plugin_task('after', id='jira')], sim)
    elapsed = time.time() - started
    assert run.results['before']['plugin']['installed'] is True, run.output
    message = run.results['after']['msg']
    assert message.startswith('GET /api/v4/config: cannot reach %s/api/v4/config after 3 retries' % sim.url), message
    assert 'check url and that the server is up' in message
    # Three retries with a 0.5 s exponential backoff, then it gives up.
    assert elapsed < 30, elapsed
    assert sim.plugin('jira') is None


def test_a_server_that_hangs_mid_run_fails_the_next_task_within_its_timeout(sim, tmp_path):
    started = time.time()
    run = run_tasks(tmp_path, [plugin_task('before', id='github'), stop_answering(sim, delay=30), plugin_task('after', id='jira', timeout=2)], sim)
    elapsed = time.time() - started
    assert run.results['before']['plugin']['installed'] is True, run.output
    message = run.results['after']['msg']
    assert 'GET /api/v4/config: no answer from %s/api/v4/config within 2.0 seconds' % sim.url in message, message
    assert 'raise timeout if the server is just slow' in message
    assert elapsed < 30, elapsed
    assert sim.plugin('jira') is None


def closed_port():
    """A local port nobody listens on: connections to it are refused, like a server that is down."""
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def test_a_fleet_run_with_one_dead_server_converges_the_others_and_names_it(fleet, tmp_path):
    dead_url = 'http://127.0.0.1:%d' % closed_port()
    inventory = fleet_inventory(tmp_path / 'inventory.json', fleet, dead={'mattermost_url': dead_url, 'mattermost_token': 'x'})
    playbook = tmp_path / 'fleet.yml'
    playbook.write_text(json.dumps([{'hosts': 'mattermost', 'gather_facts': False, 'roles': [{'role': 'mmops.mattermost.plugins'}]}]))
    desired = {'mattermost_plugins': [{'id': 'github', 'enabled': True}, {'id': 'jira', 'enabled': False}]}
    run = run_playbook(str(playbook), desired, inventory=inventory)
    assert run.rc != 0, run.output
    for server in fleet:
        assert server.plugin('github')['enabled'] is True and server.plugin('jira')['enabled'] is False
    stats = run.stats_by_host
    assert [stats['server%d' % index]['changed'] for index in range(len(fleet))] == [1] * len(fleet), stats
    assert all(stats['server%d' % index]['failures'] == 0 for index in range(len(fleet))), stats
    assert stats['dead']['failures'] == 1, stats
    [dead] = [hosts['dead'] for hosts in run.results_by_host.values() if hosts.get('dead', {}).get('failed')]
    assert 'cannot reach %s/api/v4/' % dead_url in dead['msg'] and 'check url and that the server is up' in dead['msg'], dead
