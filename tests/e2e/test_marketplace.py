# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Installs from the Marketplace on a real server: latest, compatibility, enablement, idempotence."""

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
