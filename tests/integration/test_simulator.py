# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The simulator answers as Mattermost does (the facts of the reference notes), checked over plain HTTP.

The collection's tests are only as good as its test double: these pin the quirks they rely on.
"""

import requests


def api(sim, method, path, **kwargs):
    headers = {'Authorization': 'Bearer %s' % sim.token}
    return requests.request(method, sim.url + '/api/v4' + path, headers=headers, timeout=10, **kwargs)


def upload(sim, plugin_id, version, force=False):
    bundle = requests.get(sim.bundle_url(plugin_id, version), timeout=10).content
    return api(sim, 'POST', '/plugins', files={'plugin': ('bundle.tar.gz', bundle)}, data={'force': 'true' if force else 'false'})


def test_marketplace_install_ignores_the_requested_version(sim):
    answer = api(sim, 'POST', '/plugins/marketplace', json={'id': 'jira', 'version': '2.4.0'})
    assert answer.status_code == 201
    assert answer.json()['version'] == '3.0.1'


def test_an_empty_marketplace_listing_is_null(sim):
    answer = api(sim, 'GET', '/plugins/marketplace', params={'filter': 'no-such-plugin'})
    assert answer.status_code == 200 and answer.text == 'null'


def test_config_patch_refuses_enable_uploads_but_put_keeps_it(sim):
    answer = api(sim, 'PUT', '/config/patch', json={'PluginSettings': {'EnableUploads': False}})
    assert answer.status_code == 403
    assert answer.json()['id'] == 'api.config.update_config.not_allowed_security.app_error'
    config = api(sim, 'GET', '/config').json()
    config['PluginSettings']['EnableUploads'] = False
    assert api(sim, 'PUT', '/config', json=config).json()['PluginSettings']['EnableUploads'] is True


def test_upload_gates_and_their_different_error_ids(sim):
    sim.reset(config={'PluginSettings': {'EnableUploads': False}})
    assert upload(sim, 'com.example.webhooks', '0.1.0').json()['id'] == 'app.plugin.upload_disabled.app_error'
    answer = api(sim, 'POST', '/plugins/install_from_url', params={'plugin_download_url': sim.bundle_url('jira', '2.4.0')})
    assert (answer.status_code, answer.json()['id']) == (501, 'app.plugin.disabled.app_error')


def test_a_second_upload_needs_force(sim):
    assert upload(sim, 'com.example.webhooks', '0.1.0').status_code == 201
    second = upload(sim, 'com.example.webhooks', '0.2.0')
    assert (second.status_code, second.json()['id']) == (400, 'app.plugin.install_id.app_error')
    assert upload(sim, 'com.example.webhooks', '0.2.0', force=True).json()['version'] == '0.2.0'


def test_plain_http_downloads_need_allow_insecure_download_url(sim):
    sim.reset(config={'PluginSettings': {'AllowInsecureDownloadURL': False}})
    answer = api(sim, 'POST', '/plugins/install_from_url', params={'plugin_download_url': sim.bundle_url('jira', '2.4.0')})
    body = answer.json()
    assert (answer.status_code, body['id']) == (400, 'api.plugin.install.download_failed.app_error')
    assert 'insecure url not allowed' in body['detailed_error']


def test_enable_answers_ok_before_the_plugin_runs_on_every_node(sim):
    sim.reset(nodes=3)
    assert api(sim, 'POST', '/plugins/marketplace', json={'id': 'github'}).status_code == 201
    assert api(sim, 'POST', '/plugins/github/enable').json() == {'status': 'OK'}
    statuses = [s for s in api(sim, 'GET', '/plugins/statuses').json() if s['plugin_id'] == 'github']
    # Right after enable: not every node has the plugin, and none runs it yet.
    assert len(statuses) < 3 or any(s['state'] != 2 for s in statuses)
    assert api(sim, 'POST', '/plugins/nothere/enable').json()['id'] == 'app.plugin.not_installed.app_error'


def test_the_marketplace_service_filters_by_server_version_and_pages(sim):
    url = sim.marketplace_url + '/api/v1/plugins'
    newest = requests.get(url, params={'plugin_id': 'com.example.notes', 'server_version': '9.11.0'}, timeout=10).json()
    assert [e['manifest']['version'] for e in newest] == ['1.1.0']
    assert [label['name'] for label in newest[0]['labels']] == ['Partner', 'Beta']
    every = requests.get(url, params={'plugin_id': 'com.example.notes', 'return_all_versions': 'true'}, timeout=10).json()
    assert [e['manifest']['version'] for e in every] == ['2.0.0', '1.1.0', '1.0.0']
    assert requests.get(url, params={'per_page': 0}, timeout=10).json() == []
    assert requests.get(url, params={'page': 'x'}, timeout=10).status_code == 400
    assert requests.get(url, params={'server_version': 'nine'}, timeout=10).status_code == 500


def test_requests_without_a_token_are_refused(sim):
    answer = requests.get(sim.url + '/api/v4/plugins/statuses', timeout=10)
    assert (answer.status_code, answer.json()['id']) == (401, 'api.context.session_expired.app_error')
    assert requests.get(sim.url + '/api/v4/system/ping', timeout=10).json()['status'] == 'OK'
