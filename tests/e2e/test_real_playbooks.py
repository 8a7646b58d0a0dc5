# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""plugin_set, the plugins role and the shipped playbooks, as a user runs them, against a real server."""

import json
import os

from support.playbooks import REPO, run_playbook, run_tasks
from support.testplugin import PLUGIN_ID, WEBAPP_ID

DESIRED = [dict(id=PLUGIN_ID, state='latest', enabled=True, settings=dict(Greeting='from the site')), dict(id=WEBAPP_ID, enabled=False)]


def inventory(tmp_path, mm):
    path = tmp_path / 'inventory.json'
    path.write_text(
        json.dumps(
            {
                'mattermost': {
                    'hosts': {
                        'e2e': dict(
                            ansible_connection='local', mattermost_url=mm.url, mattermost_token=mm.token, mattermost_manage_host=False, mattermost_become=False
                        )
                    }
                }
            }
        )
    )
    return str(path)


def playbook(name, tmp_path, mm, args=(), **variables):
    return run_playbook(os.path.join(REPO, 'playbooks', name), variables, inventory=inventory(tmp_path, mm), args=args, json_output=False)


def installed_by_hand(mm, tmp_path, plugin_id):
    run = run_tasks(tmp_path, [{'name': 'by hand', 'mmops.mattermost.plugin': dict(id=plugin_id)}], sim=mm)
    assert run.rc == 0, run.output


def test_plugin_set_exclusive_removes_what_is_not_listed_except_keep(mm, tmp_path):
    mm.publish_all()
    installed_by_hand(mm, tmp_path, WEBAPP_ID)
    task = {'name': 'set', 'mmops.mattermost.plugin_set': dict(plugins=[dict(id=PLUGIN_ID, enabled=True)], exclusive=True, keep=[WEBAPP_ID])}
    run = run_tasks(tmp_path, [task], sim=mm)
    assert run.rc == 0 and run.results['set']['changed'] is True, run.output
    assert sorted(mm.plugins()) == sorted([PLUGIN_ID, WEBAPP_ID])
    unkept = dict(task, name='unkept')
    unkept['mmops.mattermost.plugin_set'] = dict(task['mmops.mattermost.plugin_set'], keep=[])
    run = run_tasks(tmp_path, [unkept], sim=mm)
    assert run.rc == 0 and sorted(mm.plugins()) == [PLUGIN_ID], run.output
    mm.proxy.clear()
    again = run_tasks(tmp_path, [dict(unkept, name='again')], sim=mm)
    assert again.results['again']['changed'] is False and mm.writes() == []


def test_the_plugins_role_converges_and_a_second_run_sends_no_write(mm, tmp_path):
    mm.publish_all()
    task = {
        'name': 'role',
        'ansible.builtin.include_role': {'name': 'mmops.mattermost.plugins'},
        'vars': dict(mattermost_plugins=DESIRED, mattermost_url=mm.url, mattermost_token=mm.token),
    }
    run = run_tasks(tmp_path, [task], sim=mm, json_output=False)
    assert run.rc == 0 and 'changed=1' in run.output, run.output
    assert mm.plugins()[PLUGIN_ID]['active'] is True and mm.plugins()[WEBAPP_ID]['active'] is False
    mm.proxy.clear()
    again = run_tasks(tmp_path, [task], sim=mm, json_output=False)
    assert again.rc == 0 and 'changed=0' in again.output, again.output
    assert mm.writes() == []


def test_site_yml_converges_then_a_second_run_is_changed_0_with_no_write(mm, tmp_path):
    mm.publish_all()
    run = playbook('site.yml', tmp_path, mm, mattermost_plugins=DESIRED)
    assert run.rc == 0 and 'changed=1' in run.output, run.output
    assert mm.file_config()['PluginSettings']['Plugins'][PLUGIN_ID]['greeting'] == 'from the site'
    mm.proxy.clear()
    again = playbook('site.yml', tmp_path, mm, mattermost_plugins=DESIRED)
    assert again.rc == 0 and 'changed=0' in again.output, again.output
    assert mm.writes() == []


def test_drift_yml_reports_the_drift_of_the_real_server_and_writes_nothing(mm, tmp_path):
    mm.publish_all()
    report = tmp_path / 'drift'
    run = playbook('drift.yml', tmp_path, mm, mattermost_plugins=DESIRED, mattermost_drift_dir=str(report))
    assert run.rc == 0, run.output
    drift = json.loads((report / 'drift.json').read_text())
    assert drift['drifted'] == ['e2e'] and drift['errors'] == [], drift
    assert sorted(item['id'] for item in drift['servers']['e2e']['drift']) == sorted([PLUGIN_ID, WEBAPP_ID])
    assert 'failures="1"' in (report / 'drift-junit.xml').read_text() or 'failure' in (report / 'drift-junit.xml').read_text()
    assert mm.writes() == [] and mm.plugins() == {}
    assert mm.token not in run.output and mm.token not in (report / 'drift.json').read_text()


def test_report_yml_shows_the_installed_version_and_the_offered_update(mm, tmp_path):
    mm.publish('1.0.0')
    installed_by_hand(mm, tmp_path, PLUGIN_ID)
    mm.publish('1.1.0')
    mm.proxy.clear()
    report = tmp_path / 'report'
    run = playbook('report.yml', tmp_path, mm, mattermost_report_dir=str(report))
    assert run.rc == 0, run.output
    markdown = (report / 'fleet-report.md').read_text()
    assert PLUGIN_ID in markdown and '1.0.0' in markdown and '1.1.0' in markdown, markdown
    assert '<table' in (report / 'fleet-report.html').read_text()
    assert mm.writes() == []
