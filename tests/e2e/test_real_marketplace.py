# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Installs from the Marketplace on a real server: latest, compatibility, enablement, idempotence."""

import json

from support.playbooks import plugin_task, run_tasks
from support.testplugin import PLUGIN_ID


def test_latest_installs_the_newest_release_this_server_can_run_enabled_and_running(mm, tmp_path):
    mm.publish_all()
    run = run_tasks(tmp_path, [plugin_task('install', id=PLUGIN_ID, state='latest', enabled=True)], sim=mm)
    result = run.results['install']
    assert result.get('failed') is not True, result
    assert result['changed'] is True and result['plugin']['version'] == '1.1.0', result
    assert [node['state'] for node in result['plugin']['nodes']] == ['running'], result
    assert mm.plugins()[PLUGIN_ID]['version'] == '1.1.0' and mm.plugins()[PLUGIN_ID]['active'] is True
    statuses = dict((status['plugin_id'], status) for status in mm.statuses())
    assert statuses[PLUGIN_ID]['state'] == 2  # model.PluginStateRunning

    mm.proxy.clear()
    again = run_tasks(tmp_path, [plugin_task('again', id=PLUGIN_ID, state='latest', enabled=True)], sim=mm)
    assert again.results['again']['changed'] is False, again.results['again']
    assert mm.writes() == []


def test_a_release_for_a_newer_server_is_refused_before_any_write(mm, tmp_path):
    mm.publish_all()
    mm.set_file_settings(EnableUploads=True)
    mm.proxy.clear()
    run = run_tasks(tmp_path, [plugin_task('pin', id=PLUGIN_ID, version='2.0.0')], sim=mm)
    result = run.results['pin']
    assert result['failed'] is True, result
    assert '99.0.0' in result['msg'] and mm.version in result['msg'], result['msg']
    assert mm.writes() == [] and PLUGIN_ID not in mm.plugins()


def test_installed_disabled_then_enabled_then_disabled(mm, tmp_path):
    mm.publish_all()
    run = run_tasks(tmp_path, [plugin_task('disabled', id=PLUGIN_ID, enabled=False)], sim=mm)
    assert run.results['disabled']['changed'] is True, run.results['disabled']
    assert mm.plugins()[PLUGIN_ID]['active'] is False
    run = run_tasks(tmp_path, [plugin_task('enable', id=PLUGIN_ID, enabled=True)], sim=mm)
    assert run.results['enable']['changed'] is True and mm.plugins()[PLUGIN_ID]['active'] is True, run.results['enable']
    run = run_tasks(tmp_path, [plugin_task('disable', id=PLUGIN_ID, enabled=False)], sim=mm)
    assert run.results['disable']['changed'] is True and mm.plugins()[PLUGIN_ID]['active'] is False
    assert [(write['method'], write['path']) for write in mm.writes()][-1] == ('POST', '/api/v4/plugins/%s/disable' % PLUGIN_ID)


def test_check_mode_reports_the_install_and_sends_no_write(mm, tmp_path):
    mm.publish_all()
    run = run_tasks(tmp_path, [plugin_task('preview', id=PLUGIN_ID, state='latest', enabled=True)], sim=mm, args=['--check', '--diff'])
    assert run.results['preview']['changed'] is True, run.results['preview']
    assert mm.writes() == [] and PLUGIN_ID not in mm.plugins()


def test_absent_removes_the_plugin_and_a_second_run_sends_nothing(mm, tmp_path):
    mm.publish_all()
    assert run_tasks(tmp_path, [plugin_task('install', id=PLUGIN_ID)], sim=mm).results['install']['changed'] is True
    run = run_tasks(tmp_path, [plugin_task('remove', id=PLUGIN_ID, state='absent')], sim=mm)
    assert run.results['remove']['changed'] is True and PLUGIN_ID not in mm.plugins(), run.results['remove']
    mm.proxy.clear()
    again = run_tasks(tmp_path, [plugin_task('again', id=PLUGIN_ID, state='absent')], sim=mm)
    assert again.results['again']['changed'] is False and mm.writes() == []


def test_a_plugin_the_marketplace_does_not_list_fails_naming_it(mm, tmp_path):
    mm.publish_all()
    run = run_tasks(tmp_path, [plugin_task('install', id='com.example.nowhere')], sim=mm)
    result = run.results['install']
    assert result['failed'] is True and 'com.example.nowhere' in result['msg'], result
    assert mm.writes() == []


def test_the_server_asks_its_marketplace_for_one_default_page_and_passes_no_filter(mm, tmp_path):
    """No per_page: the Marketplace's default page of 100 entries is all the server lists; `filter` stays local."""
    mm.publish_all()
    status, _headers, listing = mm.api('GET', '/plugins/marketplace?filter=e2e')
    assert status == 200, listing
    asks = [entry['query'] for entry in mm.marketplace.log if entry['path'] == '/api/v1/plugins']
    assert asks, mm.marketplace.log
    assert all('filter' not in query for query in asks), asks
    assert all('per_page' not in query and query.get('page', ['0']) == ['0'] for query in asks), json.dumps(asks)
    assert all(query['server_version'] == [mm.version] and query['platform'] == ['linux-amd64'] for query in asks), asks
    assert sorted(entry['manifest']['id'] for entry in listing) == ['com.mmops.e2e', 'com.mmops.e2e-webapp'], listing
