# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The marketplace_mirror role (and marketplace_publish): publish, serve with a plain web server, install from it."""

import functools
import hashlib
import json
import os
import subprocess
import sys
import threading
import urllib.parse
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from support.harness import marketplace_requests, mirror_role, module_examples, NOTES
from support.playbooks import plugin_task, run_tasks


@pytest.fixture
def mirror_dir(tmp_path):
    path = tmp_path / 'mirror'
    path.mkdir()
    return path


@pytest.fixture
def static_server(mirror_dir):
    """`python -m http.server` on the mirror directory: a plain static web server, query strings ignored."""
    process = subprocess.Popen(
        [sys.executable, '-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', str(mirror_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    line = process.stdout.readline()  # "Serving HTTP on 127.0.0.1 port N (http://127.0.0.1:N/) ..."
    yield 'http://127.0.0.1:%s' % line.split(' port ')[1].split()[0]
    process.terminate()
    process.wait(10)


class RewritingHandler(SimpleHTTPRequestHandler):
    """The static server plus the role README's rewrite: ?plugin_id=<id> on api/v1/plugins answers by-id/<id>.json."""

    def log_message(self, *args):
        pass

    def do_GET(self):
        parts = urllib.parse.urlsplit(self.path)
        plugin_id = urllib.parse.parse_qs(parts.query).get('plugin_id', [''])[0]
        if parts.path == '/api/v1/plugins' and plugin_id:
            self.path = '/by-id/%s.json' % plugin_id
            if not os.path.isfile(os.path.join(self.directory, 'by-id', plugin_id + '.json')):
                self.send_response(200)
                self.send_header('Content-Length', '2')
                self.end_headers()
                self.wfile.write(b'[]')
                return
        super().do_GET()


@pytest.fixture
def rewriting_server(mirror_dir):
    server = ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(RewritingHandler, directory=str(mirror_dir)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield 'http://127.0.0.1:%d' % server.server_address[1]
    server.shutdown()
    server.server_close()


def bundle_sha256(sim, plugin_id, version):
    response = requests.get(sim.bundle_url(plugin_id, version), timeout=10)
    response.raise_for_status()
    return hashlib.sha256(response.content).hexdigest()


def publish_results(run):
    return run.results['mmops.mattermost.marketplace_mirror : The chosen releases are fetched and the static catalog is published']


def test_a_server_installs_from_a_published_mirror_served_by_a_plain_web_server(sim, tmp_path, mirror_dir, static_server):
    digest = bundle_sha256(sim, NOTES, '1.0.0')
    role = mirror_role(sim, mirror_dir, static_server, [{'id': NOTES, 'version': '1.0.0', 'checksum': 'sha256:' + digest}])
    run = run_tasks(tmp_path, [role], sim)
    assert run.rc == 0, run.output
    [published] = publish_results(run)['plugins']
    assert published['sha256'] == digest and published['fetched'] is True
    assert published['min_server_version'] == '8.0.0' and published['labels'] == ['Community']
    sums = (mirror_dir / 'SHA256SUMS').read_text().splitlines()
    assert '%s  bundles/com.example.notes-1.0.0.tar.gz' % digest in sums and len(sums) == 2
    catalog = json.loads((mirror_dir / 'api' / 'v1' / 'plugins').read_text())
    assert [(e['manifest']['id'], e['manifest']['version'], e['manifest']['min_server_version']) for e in catalog] == [(NOTES, '1.0.0', '8.0.0')]
    assert catalog[0]['download_url'] == static_server + '/bundles/com.example.notes-1.0.0.tar.gz'
    database = json.loads((mirror_dir / 'plugins.json').read_text())
    assert 'labels' not in database[0] and 'platforms' not in database[0] and database[0]['signature'] == catalog[0]['signature']

    # Publishing again changes nothing and downloads nothing.
    sim.reset()
    again = run_tasks(tmp_path, [role], sim)
    assert again.rc == 0 and publish_results(again)['changed'] is False, again.output
    assert marketplace_requests(sim) and not [r for r in sim.requests() if r['path'].startswith('/bundles/')]

    # The server reads only the mirror: it installs the mirrored 1.0.0, not the source's newest (1.1.0).
    sim.reset(config={'PluginSettings': {'MarketplaceURL': static_server}})
    install = run_tasks(
        tmp_path,
        [
            plugin_task('notes', id=NOTES, state='latest', enabled=True),
            {'name': 'listing', 'mmops.mattermost.marketplace_info': {'plugin_id': NOTES}},
        ],
        sim,
    )
    assert install.rc == 0, install.output
    assert install.results['notes']['actions'] == ['install com.example.notes 1.0.0 from the Marketplace', 'enable com.example.notes']
    assert sim.plugin(NOTES)['version'] == '1.0.0'
    [listed] = install.results['listing']['plugins']
    assert listed['installed_version'] == '1.0.0' and listed['signed'] is True and listed['labels'] == ['Community']
    assert sim.requests() and not [r for r in sim.requests() if r['service'] == 'marketplace']


def test_check_mode_publishes_nothing(sim, tmp_path, mirror_dir, static_server):
    run = run_tasks(tmp_path, [mirror_role(sim, mirror_dir, static_server, [{'id': NOTES, 'version': '1.1.0'}])], sim, args=('--check', '--diff'))
    assert run.rc == 0, run.output
    result = publish_results(run)
    assert result['changed'] is True and 'bundles/com.example.notes-1.1.0.tar.gz' in result['changed_files']
    assert result['diff']['after'] == 'com.example.notes 1.1.0\n'
    assert os.listdir(str(mirror_dir)) == []


@pytest.mark.parametrize(
    'plugins,message',
    [
        ([{'id': NOTES, 'version': '1.0.0', 'checksum': 'sha256:' + '0' * 64}], 'does not match checksum sha256:000'),
        ([{'id': NOTES, 'version': '3.0.0'}], 'com.example.notes 3.0.0 is not in the Marketplace at'),
        ([{'id': NOTES, 'version': '1.0.0'}, {'id': NOTES, 'version': '1.0.0'}], 'com.example.notes 1.0.0 is listed twice'),
        ([{'id': '../etc', 'version': '1.0.0'}], 'invalid plugin id'),
    ],
)
def test_bad_mirror_lists_publish_nothing(sim, tmp_path, mirror_dir, static_server, plugins, message):
    run = run_tasks(tmp_path, [dict(mirror_role(sim, mirror_dir, static_server, plugins), ignore_errors=True)], sim)
    result = publish_results(run)
    assert result.get('failed') is True and message in result['msg'], run.output
    assert [name for name in os.listdir(str(mirror_dir)) if name != 'bundles'] == []
    assert not os.path.exists(str(mirror_dir / 'bundles')) or os.listdir(str(mirror_dir / 'bundles')) == []


def test_a_mirror_of_several_plugins_installs_through_the_documented_rewrite(sim, tmp_path, mirror_dir, rewriting_server):
    run = run_tasks(
        tmp_path,
        [
            mirror_role(
                sim, mirror_dir, rewriting_server, [{'id': NOTES, 'version': '1.0.0'}, {'id': NOTES, 'version': '2.0.0'}, {'id': 'github', 'version': '2.0.1'}]
            )
        ],
        sim,
    )
    assert run.rc == 0, run.output
    assert sorted(os.listdir(str(mirror_dir / 'by-id'))) == ['com.example.notes.json', 'github.json']
    # Every mirrored release is kept for the Marketplace service's --database; the static answer has the newest per id.
    assert len(json.loads((mirror_dir / 'plugins.json').read_text())) == 3
    sim.reset(config={'PluginSettings': {'MarketplaceURL': rewriting_server}})
    install = run_tasks(
        tmp_path,
        [
            plugin_task('github', id='github', state='latest'),
            # The static answer cannot honour server_version: 2.0.0 needs 10.0.0, this server runs 9.11.0.
            plugin_task('notes', id=NOTES, state='latest'),
            plugin_task('notes pinned', id=NOTES, version='1.0.0'),
        ],
        sim,
    )
    assert install.results['github']['changed'] is True, install.output
    assert 'com.example.notes 2.0.0 needs Mattermost 10.0.0 or newer' in install.results['notes']['msg']
    # A static answer holds one release per id, so an older mirrored release is not offered (role README, "Limits").
    assert 'com.example.notes 1.0.0 is not in the Marketplace at %s (versions listed: 2.0.0)' % rewriting_server in install.results['notes pinned']['msg']
    assert sim.plugin('github')['version'] == '2.0.1' and sim.plugin(NOTES) is None


def test_without_the_rewrite_a_multi_plugin_mirror_lists_but_the_server_cannot_install(sim, tmp_path, mirror_dir, static_server):
    run = run_tasks(tmp_path, [mirror_role(sim, mirror_dir, static_server, [{'id': NOTES, 'version': '1.0.0'}, {'id': 'github', 'version': '2.0.1'}])], sim)
    assert run.rc == 0, run.output
    sim.reset(config={'PluginSettings': {'MarketplaceURL': static_server}})
    listed = run_tasks(tmp_path, [{'name': 'listing', 'mmops.mattermost.marketplace_info': {}}, plugin_task('github', id='github')], sim)
    assert sorted(p['id'] for p in listed.results['listing']['plugins']) == ['com.example.notes', 'github']
    # Mattermost demands exactly one entry for ?plugin_id=github; the plain file holds two (role README, "Limits").
    assert 'app.plugin.marketplace_plugins.not_found.app_error' in listed.results['github']['msg']


def test_marketplace_publish_and_marketplace_info_examples_run(sim, tmp_path, mirror_dir, static_server):
    extra_vars = dict(
        source_marketplace_url=sim.marketplace_url, mirror_dir=str(mirror_dir), mirror_url=static_server, mattermost_url=sim.url, mattermost_token=sim.token
    )
    env = {'MATTERMOST_URL': sim.url, 'MATTERMOST_TOKEN': sim.token}
    for module in ('marketplace_publish', 'marketplace_info'):
        run = run_tasks(tmp_path, module_examples(module), sim, extra_vars=extra_vars, env=env, connection_defaults=False)
        assert run.rc == 0 and run.stats.get('failures') == 0, run.output
    assert sorted(os.listdir(str(mirror_dir / 'by-id'))) == ['com.example.notes.json', 'jira.json']
