# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a real server does that the collection must know, each shown on both versions (the README's "Tested
against" lists what each turned out to be), and what the collection does about it."""

import json
import os
import shutil
import tarfile

from support.playbooks import plugin_task, run_playbook, run_tasks
from support.testplugin import PLUGIN_ID, WEBAPP_ID, build

from support.realserver import FLUSH, role

MASK = '*' * 32


def major(mm):
    return int(mm.version.split('.')[0])


def upload(mm, path):
    """POST /plugins straight to the server (no collection involved): (status, error id)."""
    import subprocess

    completed = subprocess.run(
        ['curl', '-s', '-H', 'Authorization: Bearer ' + mm.token, '-F', 'plugin=@' + path, mm.direct_url + '/api/v4/plugins'],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    body = json.loads(completed.stdout)
    return (201, None) if 'status_code' not in body else (body['status_code'], body['id'])


def test_manual_installs_are_removed_at_start_from_11_and_the_role_refuses_them_there(mm, tmp_path):
    with tarfile.open(mm.bundles.path('1.0.0')) as archive:
        archive.extractall(os.path.join(mm.install.root, 'plugins'), filter='data')
    mm.api('PUT', '/config/patch', {'PluginSettings': {'PluginStates': {PLUGIN_ID: {'Enable': True}}}})
    mm.install.restart()
    kept = PLUGIN_ID in mm.plugins()
    assert kept is (major(mm) < 11), (mm.version, os.listdir(os.path.join(mm.install.root, 'plugins')))
    for plugin_id in mm.plugins():
        mm.api('DELETE', '/plugins/%s' % plugin_id)
    shutil.rmtree(os.path.join(mm.install.root, 'plugins', PLUGIN_ID), ignore_errors=True)
    pid = mm.install.pid()
    run = run_tasks(
        tmp_path,
        [role('prepackaged_plugins', mm, mattermost_prepackaged_plugins=[dict(src=mm.bundles.path('1.0.0'), unpack=True)]), FLUSH],
        sim=mm,
        json_output=False,
    )
    if major(mm) >= 11:
        assert run.rc != 0 and 'removes manually installed plugins' in run.output, run.output
        assert os.listdir(os.path.join(mm.install.root, 'plugins')) == [] and mm.install.pid() == pid
    else:
        assert run.rc == 0, run.output
        assert PLUGIN_ID in mm.plugins()


def test_require_signature_drops_uploaded_plugins_at_the_next_start_and_plugin_settings_warns_first(mm, tmp_path):
    mm.publish('1.0.0', WEBAPP_ID)
    mm.set_file_settings(EnableUploads=True)
    assert upload(mm, mm.bundles.path('1.0.0')) == (201, None)
    assert run_tasks(tmp_path, [plugin_task('signed', id=WEBAPP_ID)], sim=mm).results['signed']['changed'] is True
    mm.set_file_settings(EnableUploads=False)
    task = {'name': 'require', 'mmops.mattermost.plugin_settings': dict(settings=dict(RequirePluginSignature=True))}
    run = run_tasks(tmp_path, [task], sim=mm, json_output=False)
    assert run.rc == 0, run.output
    assert 'removes every installed plugin without a stored signature' in run.output and PLUGIN_ID in run.output, run.output
    assert sorted(mm.plugins()) == sorted([PLUGIN_ID, WEBAPP_ID])
    mm.install.restart()
    assert sorted(mm.plugins()) == [WEBAPP_ID], 'the uploaded plugin survived the restart with signatures required'


def test_an_unsigned_prepackaged_bundle_is_listed_only_before_10_11(mm, tmp_path):
    shutil.copy(mm.bundles.path('1.0.0', WEBAPP_ID), os.path.join(mm.install.root, 'prepackaged_plugins'))
    try:
        mm.install.restart()
        status, _headers, listing = mm.api('GET', '/plugins/marketplace')
        assert status == 200, listing
        # An empty listing is JSON null, not [].
        listed = WEBAPP_ID in [entry['manifest']['id'] for entry in listing or []]
        assert listed is (tuple(map(int, mm.version.split('.')[:2])) < (10, 11)), (mm.version, listing)
    finally:
        os.remove(os.path.join(mm.install.root, 'prepackaged_plugins', os.path.basename(mm.bundles.path('1.0.0', WEBAPP_ID))))


def test_settings_of_a_plugin_that_is_not_installed_are_left_out_of_get_config(mm):
    status, _headers, body = mm.api('PUT', '/config/patch', {'PluginSettings': {'Plugins': {'com.example.absent': {'token': 'abc'}}}})
    assert status == 200, body
    assert 'com.example.absent' not in mm.config()['PluginSettings']['Plugins']
    assert mm.file_config()['PluginSettings']['Plugins']['com.example.absent'] == {'token': 'abc'}


def test_a_mask_written_back_restores_the_stored_secret_and_a_missing_one_becomes_null(mm, tmp_path):
    mm.publish_all()
    assert run_tasks(tmp_path, [plugin_task('install', id=PLUGIN_ID, settings=dict(ApiSecret='kept-secret-31'))], sim=mm).rc == 0
    assert mm.config()['PluginSettings']['Plugins'][PLUGIN_ID]['apisecret'] == MASK
    patch = {'PluginSettings': {'Plugins': {PLUGIN_ID: {'greeting': 'x', 'apisecret': MASK, 'emptysecret': MASK}}}}
    status, _headers, body = mm.api('PUT', '/config/patch', patch)
    assert status == 200, body
    stored = mm.file_config()['PluginSettings']['Plugins'][PLUGIN_ID]
    assert stored['apisecret'] == 'kept-secret-31' and stored['emptysecret'] is None, stored


def test_an_install_over_a_directory_the_server_did_not_make_fails_with_mvdir(mm):
    mm.publish_all()
    os.makedirs(os.path.join(mm.install.root, 'plugins', PLUGIN_ID))
    try:
        status, _headers, body = mm.api('POST', '/plugins/marketplace', {'id': PLUGIN_ID})
        assert (status, body['id']) == (500, 'app.plugin.mvdir.app_error'), body
    finally:
        shutil.rmtree(os.path.join(mm.install.root, 'plugins', PLUGIN_ID))


def test_an_enabled_plugin_that_cannot_start_fails_its_install_with_restart_app_error(mm):
    mm.set_file_settings(EnableUploads=True)
    mm.api('PUT', '/config/patch', {'PluginSettings': {'PluginStates': {PLUGIN_ID: {'Enable': True}}}})
    assert upload(mm, mm.bundles.path('2.0.0')) == (500, 'app.plugin.restart.app_error')
    assert PLUGIN_ID in mm.plugins() and mm.plugins()[PLUGIN_ID]['active'] is False


def test_a_config_patch_over_the_payload_limit_is_refused(mm, tmp_path):
    limit = mm.config()['ServiceSettings']['MaximumPayloadSizeBytes']
    status, _headers, body = mm.api('PUT', '/config/patch', {'PluginSettings': {'Plugins': {'com.example.big': {'v': 'x' * (limit + 1024)}}}})
    assert (status, (body or {}).get('id')) == (413, 'api.context.request_body_too_large.app_error'), (status, body)


def test_a_manifest_version_with_a_v_is_accepted_by_the_server_and_by_the_collection(mm, tmp_path):
    mm.set_file_settings(EnableUploads=True)
    path, _manifest = build(str(tmp_path), 'v1.0.0', plugin_id=WEBAPP_ID)
    assert upload(mm, path) == (201, None)
    mm.api('DELETE', '/plugins/%s' % WEBAPP_ID)
    run = run_tasks(tmp_path, [plugin_task('v', id=WEBAPP_ID, source='file', src=path)], sim=mm)
    assert run.results['v'].get('failed') is not True and run.results['v']['changed'] is True, run.results['v']
    assert mm.plugins()[WEBAPP_ID]['version'] == 'v1.0.0'


def test_a_yaml_float_version_fails_clearly_before_any_write(mm, tmp_path):
    mm.publish_all()
    mm.set_file_settings(EnableUploads=True)
    playbook = tmp_path / 'float.yml'
    playbook.write_text(
        '- hosts: localhost\n  gather_facts: false\n  tasks:\n'
        '    - mmops.mattermost.plugin:\n        id: %s\n        version: 1.10\n'
        '        url: "{{ mm_url }}"\n        token: "{{ mm_token }}"\n' % PLUGIN_ID
    )
    run = run_playbook(str(playbook), dict(mm_url=mm.url, mm_token=mm.token), json_output=False)
    assert run.rc != 0 and 'quote' in run.output, run.output
    assert mm.writes() == []
