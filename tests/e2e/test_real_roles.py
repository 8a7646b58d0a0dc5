# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The host roles on a real server's install tree, restarting the real process through mattermost_restart_command."""

from support.playbooks import plugin_task, run_tasks
from support.realserver import FLUSH, role
from support.testplugin import PLUGIN_ID


def test_plugin_uploads_turns_uploads_on_in_config_json_restarts_and_an_upload_works(mm, tmp_path):
    pid = mm.install.pid()
    tasks = [
        role('plugin_uploads', mm, mattermost_plugin_uploads=True, mattermost_install_type='config_json'),
        FLUSH,
        plugin_task('upload', id=PLUGIN_ID, source='file', src=mm.bundles.path('1.0.0'), enabled=True),
    ]
    run = run_tasks(tmp_path, tasks, sim=mm)
    assert run.rc == 0, run.output
    assert mm.file_config()['PluginSettings']['EnableUploads'] is True
    assert mm.config()['PluginSettings']['EnableUploads'] is True
    assert mm.install.pid() not in (None, pid), 'the server was not restarted'
    assert run.results['upload']['changed'] is True and mm.plugins()[PLUGIN_ID]['active'] is True
    pid = mm.install.pid()
    again = run_tasks(tmp_path, tasks[:1], sim=mm)
    assert again.rc == 0 and again.changed == 0, again.output
    assert mm.install.pid() == pid


def test_prepackaged_signed_bundle_is_offered_after_the_restart_and_installs_without_uploads(mm, tmp_path):
    bundle = mm.bundles.path('1.0.0')
    tasks = [
        role('prepackaged_plugins', mm, mattermost_prepackaged_plugins=[dict(src=bundle, signature=bundle + '.sig')]),
        FLUSH,
        plugin_task('install', id=PLUGIN_ID, enabled=True),
    ]
    run = run_tasks(tmp_path, tasks, sim=mm)
    assert run.rc == 0, run.output
    assert run.results['install']['changed'] is True, run.results['install']
    assert mm.plugins()[PLUGIN_ID]['version'] == '1.0.0' and mm.plugins()[PLUGIN_ID]['active'] is True
    assert ('POST', '/api/v4/plugins') not in [(write['method'], write['path']) for write in mm.writes()]
    again = run_tasks(tmp_path, tasks, sim=mm)
    assert again.rc == 0 and again.changed == 0, again.output
