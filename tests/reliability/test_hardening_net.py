# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bundle downloads and the server URL on the network: no credential shown, no silent downgrade, bounded downloads."""

import functools
import json
import os
import stat
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from support.playbooks import REPO, fleet_inventory, plugin_task, run_playbook, run_tasks

WEBHOOKS = 'com.example.webhooks'
NOTES = 'com.example.notes'
PASSWORD = 'dl-pass-8c2e41'
SIGNATURE = 'X-Amz-Signature=presigned-5d7b93e1'
PATHS = pytest.mark.parametrize('in_process', [True, False], ids=['in-process', 'module'])


def paths_env(in_process):
    return {'MMOPS_MATTERMOST_IN_PROCESS': str(in_process).lower()}


def with_credentials(url):
    """`url` (http://host/...) with a user name, password and presigned query added."""
    return url.replace('://', '://deploy:%s@' % PASSWORD, 1) + '?X-Amz-Credential=AKIA&' + SIGNATURE


@PATHS
def test_credentials_in_a_src_url_are_in_no_action_result_message_or_output(sim, tmp_path, in_process):
    good = with_credentials(sim.bundle_url(WEBHOOKS, '0.1.0'))
    missing = with_credentials(sim.bundle_url(WEBHOOKS, '9.9.9'))
    tasks = [
        dict(plugin_task('install', id=WEBHOOKS, source='url', src=good), register='install'),
        dict(plugin_task('missing', id='com.example.other', source='url', src=missing), register='missing'),
        {'name': 'show', 'ansible.builtin.debug': {'msg': '{{ install }} {{ missing }}'}},
    ]
    run = run_tasks(tmp_path, tasks, sim, args=['-vvv', '--diff'], json_output=False, env=paths_env(in_process))
    assert sim.plugin(WEBHOOKS)['version'] == '0.1.0', run.output
    shown = sim.bundle_url(WEBHOOKS, '0.1.0') + '?REDACTED'
    assert 'upload %s 0.1.0 from %s' % (WEBHOOKS, shown) in run.output
    assert 'GET %s?REDACTED failed with HTTP 404' % sim.bundle_url(WEBHOOKS, '9.9.9') in run.output
    for secret in (PASSWORD, SIGNATURE, 'presigned-5d7b93e1'):
        assert secret not in run.output, secret


@PATHS
def test_a_plain_http_server_url_to_another_host_warns_that_the_token_crosses_in_clear(sim, tmp_path, in_process):
    # 198.51.100.1 (TEST-NET-2) is nobody's server: the warning must come with the failure, before any answer.
    tasks = [
        dict(plugin_task('remote', id='github', url='http://198.51.100.1:9', timeout=0.5), register='remote'),
        dict(plugin_task('loopback', id='github'), register='loopback'),
        dict(plugin_task('localhost', id='github', url=sim.url.replace('127.0.0.1', 'localhost')), register='localhost'),
    ]
    run = run_tasks(tmp_path, tasks, sim, env=paths_env(in_process))
    remote = run.results['remote']
    assert remote['failed'] is True
    assert any(
        'url http://198.51.100.1:9 is plain http to a host that is not this one' in warning and 'use https' in warning for warning in remote.get('warnings', [])
    ), remote
    for name in ('loopback', 'localhost'):
        assert run.results[name].get('failed') is not True, run.output
        assert not any('plain http' in warning for warning in run.results[name].get('warnings', [])), name


@PATHS
def test_credentials_in_the_server_or_marketplace_url_are_in_no_message_or_output(sim, tmp_path, in_process):
    # requests sends a URL's user and password as Basic authentication, in place of the token: the server refuses it.
    tasks = [
        dict(plugin_task('server', id='github', url=with_credentials(sim.url)), register='server'),
        {
            'name': 'marketplace',
            'mmops.mattermost.marketplace_info': {'marketplace_url': with_credentials(sim.url + '/missing-marketplace')},
            'register': 'marketplace',
            'ignore_errors': True,
        },
        {'name': 'show', 'ansible.builtin.debug': {'msg': '{{ server }} {{ marketplace }}'}},
    ]
    run = run_tasks(tmp_path, tasks, sim, args=['-vvv'], json_output=False, env=paths_env(in_process))
    assert 'ignored=2' in run.output, run.output  # both fail: the server refuses Basic authentication, the Marketplace is not there
    assert sim.url.replace('://', '://********@') in run.output, run.output
    for secret in (PASSWORD, SIGNATURE, 'presigned-5d7b93e1'):
        assert secret not in run.output, secret


def redirecting_src(tls_sim, target):
    """An https URL on the TLS simulator that answers 302 to `target`."""
    tls_sim.fault(method='GET', path='^/downloads/webhooks.tar.gz$', status=302, location=target, times=1)
    return tls_sim.url + '/downloads/webhooks.tar.gz?' + SIGNATURE


@PATHS
def test_an_https_src_redirecting_to_plain_http_is_refused_without_allow_insecure_download_url(tls_sim, tmp_path, in_process):
    tls_sim.reset(config={'PluginSettings': {'AllowInsecureDownloadURL': False}})
    src = redirecting_src(tls_sim, tls_sim.bundle_url(WEBHOOKS, '0.1.0'))
    run = run_tasks(tmp_path, [plugin_task('redirected', id=WEBHOOKS, source='url', src=src, ca_path=tls_sim.ca_file)], tls_sim, env=paths_env(in_process))
    result = run.results['redirected']
    assert result['failed'] is True, run.output
    assert result['msg'].startswith('%s is plain http' % tls_sim.bundle_url(WEBHOOKS, '0.1.0')) and 'AllowInsecureDownloadURL' in result['msg']
    assert [r for r in tls_sim.requests() if r['service'] == 'marketplace'] == [], 'the http hop must not be requested'
    assert tls_sim.writes() == [] and tls_sim.state()['plugins'] == {}


def test_a_mirrored_bundle_listed_at_https_is_not_fetched_through_a_redirect_to_plain_http(tls_sim, tmp_path):
    entry = next(e for e in requests.get(tls_sim.marketplace_url + '/api/v1/plugins').json() if e['manifest']['id'] == NOTES)
    entry['download_url'] = redirecting_src(tls_sim, tls_sim.bundle_url(NOTES, entry['manifest']['version']))
    source = tmp_path / 'source'
    (source / 'api' / 'v1').mkdir(parents=True)
    (source / 'api' / 'v1' / 'plugins').write_text(json.dumps([entry]))
    server = ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(SimpleHTTPRequestHandler, directory=str(source)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    publish = {
        'source_url': 'http://127.0.0.1:%d' % server.server_address[1],
        'dest': str(tmp_path / 'mirror'),
        'base_url': 'https://mirror.example.com',
        'plugins': [{'id': NOTES, 'version': entry['manifest']['version']}],
        'ca_path': tls_sim.ca_file,
    }
    try:
        run = run_tasks(tmp_path, [{'name': 'publish', 'mmops.mattermost.marketplace_publish': publish, 'register': 'publish', 'ignore_errors': True}])
    finally:
        server.shutdown()
    result = run.results['publish']
    assert result['failed'] is True, run.output
    assert 'redirects to %s, which is not https; it was not published' % tls_sim.bundle_url(NOTES, entry['manifest']['version']) in result['msg']
    assert SIGNATURE not in run.output
    assert [r for r in tls_sim.requests() if r['service'] == 'marketplace' and r['path'].startswith('/bundles/')] == [], 'the http hop must not be requested'
    assert not os.path.exists(str(tmp_path / 'mirror' / 'api')), 'nothing may be published'


@PATHS
def test_a_followed_redirect_is_named_in_the_actions_with_the_final_url(tls_sim, tmp_path, in_process):
    tls_sim.reset(config={'PluginSettings': {'AllowInsecureDownloadURL': True}})
    final = tls_sim.bundle_url(WEBHOOKS, '0.1.0')
    src = redirecting_src(tls_sim, final + '?token=hop-secret-42')
    run = run_tasks(
        tmp_path,
        [dict(plugin_task('redirected', id=WEBHOOKS, source='url', src=src, ca_path=tls_sim.ca_file), register='redirected')],
        tls_sim,
        env=paths_env(in_process),
    )
    result = run.results['redirected']
    assert result.get('failed') is not True, run.output
    assert result['actions'][0] == 'upload %s 0.1.0 from %s/downloads/webhooks.tar.gz?REDACTED (redirected to %s?REDACTED)' % (WEBHOOKS, tls_sim.url, final)
    assert 'hop-secret-42' not in json.dumps(result) and 'presigned-5d7b93e1' not in json.dumps(result)


def test_a_redirect_loop_stops_after_ten_hops_naming_the_last_url_redacted(sim, tmp_path):
    loop = sim.marketplace_url + '/bundles/loop.tar.gz'
    sim.fault(service='marketplace', method='GET', path='^/bundles/loop.tar.gz$', status=302, location=loop + '?' + SIGNATURE, times=-1)
    run = run_tasks(tmp_path, [plugin_task('loop', id=WEBHOOKS, source='url', src=loop)], sim)
    assert run.results['loop']['msg'] == 'GET %s?REDACTED: more than 10 redirects' % loop
    assert len([r for r in sim.requests() if r['service'] == 'marketplace']) == 11
    assert sim.writes() == []


@PATHS
def test_a_download_trickling_within_every_read_timeout_fails_at_download_timeout(sim, tmp_path, in_process):
    # 100 bytes every 8 seconds: each read is quick, the whole bundle would take about 24 seconds.
    sim.fault(service='marketplace', method='GET', path='^/bundles/', trickle=8, times=1)
    started = time.time()
    run = run_tasks(
        tmp_path, [plugin_task('slow', id=WEBHOOKS, source='url', src=sim.bundle_url(WEBHOOKS, '0.1.0'), download_timeout=2)], sim, env=paths_env(in_process)
    )
    elapsed = time.time() - started
    result = run.results['slow']
    assert result['failed'] is True, run.output
    assert 'did not finish within 2.0 seconds (download_timeout' in result['msg'], result['msg']
    assert elapsed < 20, elapsed
    assert sim.writes() == []


def test_the_plugins_role_bounds_a_download_by_its_download_timeout_variable(sim, tmp_path):
    sim.fault(service='marketplace', method='GET', path='^/bundles/', trickle=8, times=1)
    role = {
        'name': 'slow',
        'ansible.builtin.include_role': {'name': 'mmops.mattermost.plugins'},
        'vars': {
            'mattermost_plugins': [{'id': WEBHOOKS, 'source': 'url', 'src': sim.bundle_url(WEBHOOKS, '0.1.0')}],
            'mattermost_plugins_download_timeout': 2,
            'mattermost_url': sim.url,
            'mattermost_token': sim.token,
        },
    }
    run = run_tasks(tmp_path, [role], sim, connection_defaults=False)
    assert run.rc != 0 and 'did not finish within 2.0 seconds (download_timeout' in run.output, run.output
    assert sim.writes() == []


def test_a_download_over_the_servers_max_file_size_is_stopped_before_its_body(sim, tmp_path):
    # The bundle (353 bytes) would trickle in for about 24 seconds; its Content-Length alone refuses it.
    sim.reset(config={'FileSettings': {'MaxFileSize': 200}})
    sim.fault(service='marketplace', method='GET', path='^/bundles/', trickle=8, times=1)
    started = time.time()
    run = run_tasks(tmp_path, [plugin_task('big', id=WEBHOOKS, source='url', src=sim.bundle_url(WEBHOOKS, '0.1.0'))], sim)
    elapsed = time.time() - started
    message = run.results['big']['msg']
    assert message.startswith('GET %s: the bundle is larger than 200 bytes' % sim.bundle_url(WEBHOOKS, '0.1.0')), message
    assert elapsed < 20, elapsed
    assert sim.writes() == []


@pytest.mark.parametrize(
    'playbook, mode_variable, files',
    [
        ('drift.yml', 'mattermost_drift_mode', ['drift/drift.json', 'drift/drift-junit.xml']),
        ('report.yml', 'mattermost_report_mode', ['report/fleet-report.md', 'report/fleet-report.html']),
    ],
    ids=['drift', 'report'],
)
def test_drift_and_report_files_are_private_by_default_and_follow_their_mode_variable(fleet, tmp_path, playbook, mode_variable, files):
    inventory = fleet_inventory(tmp_path / 'inventory.json', fleet[:1])
    directories = dict(mattermost_drift_dir=str(tmp_path / 'drift'), mattermost_report_dir=str(tmp_path / 'report'))
    for variables, expected in ((directories, 0o600), (dict(directories, **{mode_variable: '0644'}), 0o644)):
        run = run_playbook(os.path.join(REPO, 'playbooks', playbook), variables, inventory=inventory)
        assert run.rc == 0, run.output
        for name in files:
            assert stat.S_IMODE(os.stat(str(tmp_path / name)).st_mode) == expected, (name, variables)
