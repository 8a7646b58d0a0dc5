# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plugin_uploads role (and its plugin_uploads_config module) on real files in a temporary directory."""

import json
import os
import shutil
import stat

import pytest

from support.harness import module_examples, uploads_vars
from support.playbooks import REPO, run_tasks


FILES = os.path.join(REPO, 'extensions', 'molecule', 'plugin_uploads', 'files')


@pytest.fixture
def host(tmp_path):
    """A temporary host root: the three sources of the setting exist only when a test copies them in."""
    root = tmp_path / 'host'
    root.mkdir()
    return root


def install(host, name, mode=0o600):
    target = host / name
    shutil.copyfile(os.path.join(FILES, name), str(target))
    os.chmod(str(target), mode)
    return target


def run_role(tmp_path, host, args=(), **overrides):
    task = {'name': 'role', 'ansible.builtin.include_role': {'name': 'mmops.mattermost.plugin_uploads'}, 'vars': uploads_vars(host, **overrides)}
    return run_tasks(tmp_path, [task], args=args, json_output=False)


def edited_setting(before, after):
    """The (section, key) pairs whose values differ between two parsed configs."""
    return sorted(
        (section, key)
        for section in set(before) | set(after)
        for key in set(before.get(section, {})) | set(after.get(section, {}))
        if before.get(section, {}).get(key) != after.get(section, {}).get(key)
    )


def test_config_json_changes_only_enable_uploads(tmp_path, host):
    config = install(host, 'config.json')
    original = config.read_bytes()

    run = run_role(tmp_path, host, args=['--diff'], mattermost_plugin_uploads=True)
    assert run.rc == 0, run.output
    assert 'detected install type config_json' in run.output
    assert '-        "EnableUploads": false' in run.output and '+        "EnableUploads": true' in run.output
    changed = config.read_bytes()
    assert edited_setting(json.loads(original), json.loads(changed)) == [('PluginSettings', 'EnableUploads')]
    # Every other byte stays: layout, key order, Go's \u0026 escaping.
    assert changed == original.replace(b'"EnableUploads": false', b'"EnableUploads": true')
    assert stat.S_IMODE(os.stat(str(config)).st_mode) == 0o600
    assert (host / 'restarted').exists()
    assert [name for name in os.listdir(str(host)) if name.startswith('config.json.')], 'no backup was made'

    (host / 'restarted').unlink()
    again = run_role(tmp_path, host, mattermost_plugin_uploads=True)
    assert again.rc == 0 and 'changed=0' in again.output, again.output
    assert config.read_bytes() == changed
    assert not (host / 'restarted').exists()


def test_check_mode_reports_and_writes_nothing(tmp_path, host):
    config = install(host, 'config.json')
    original = config.read_bytes()
    run = run_role(tmp_path, host, args=['--check', '--diff'], mattermost_plugin_uploads=True)
    assert run.rc == 0 and 'changed=1' in run.output, run.output
    assert '+        "EnableUploads": true' in run.output
    assert config.read_bytes() == original
    assert not (host / 'restarted').exists()


def test_refuses_to_enable_while_signatures_are_required(tmp_path, host):
    config = install(host, 'config.json')
    config.write_bytes(config.read_bytes().replace(b'"RequirePluginSignature": false', b'"RequirePluginSignature": true'))
    original = config.read_bytes()
    run = run_role(tmp_path, host, mattermost_plugin_uploads=True)
    assert run.rc != 0
    assert 'refusing to enable plugin uploads: PluginSettings.RequirePluginSignature is true' in run.output
    assert 'prepackaged_plugins' in run.output and 'was not changed' in run.output
    assert config.read_bytes() == original
    assert sorted(os.listdir(str(host))) == ['config.json']
    # Turning uploads off is always allowed.
    config.write_bytes(original.replace(b'"EnableUploads": false', b'"EnableUploads": true'))
    off = run_role(tmp_path, host, mattermost_plugin_uploads=False)
    assert off.rc == 0, off.output
    assert json.loads(config.read_bytes())['PluginSettings']['EnableUploads'] is False


def test_bad_config_fails_clearly_and_changes_nothing(tmp_path, host):
    config = host / 'config.json'
    config.write_text('{"PluginSettings": {"EnableUploads": false,}}')
    run = run_role(tmp_path, host, mattermost_plugin_uploads=True)
    assert run.rc != 0 and 'is not valid JSON' in run.output, run.output
    assert config.read_text() == '{"PluginSettings": {"EnableUploads": false,}}'


def test_no_source_found_fails_naming_the_variables(tmp_path, host):
    run = run_role(tmp_path, host, mattermost_plugin_uploads=True)
    assert run.rc != 0
    assert 'cannot tell where this server reads EnableUploads' in run.output and 'mattermost_install_type' in run.output


def test_omnibus_sets_mmomni_yml_and_reconfigures_once(tmp_path, host):
    settings = install(host, 'mmomni.yml', mode=0o640)
    install(host, 'config.json')
    run = run_role(tmp_path, host, mattermost_plugin_uploads=True)
    assert run.rc == 0, run.output
    assert 'detected install type omnibus' in run.output
    lines = settings.read_text().splitlines()
    assert 'enable_plugin_uploads: true' in lines and 'enable_plugin_uploads: false' not in lines
    assert len(lines) == 9 and stat.S_IMODE(os.stat(str(settings)).st_mode) == 0o640
    assert (host / 'reconfigured').exists() and not (host / 'restarted').exists()

    (host / 'reconfigured').unlink()
    again = run_role(tmp_path, host, mattermost_plugin_uploads=True)
    assert again.rc == 0 and 'changed=0' in again.output, again.output
    assert not (host / 'reconfigured').exists()


def test_env_file_wins_and_is_set(tmp_path, host):
    env_file = install(host, 'mattermost.env')
    config = install(host, 'config.json')
    config_before = config.read_bytes()
    run = run_role(tmp_path, host, mattermost_plugin_uploads=True)
    assert run.rc == 0, run.output
    assert 'detected install type env' in run.output
    assert 'MM_PLUGINSETTINGS_ENABLEUPLOADS=true' in env_file.read_text().splitlines()
    assert config.read_bytes() == config_before
    again = run_role(tmp_path, host, mattermost_plugin_uploads=True)
    assert again.rc == 0 and 'changed=0' in again.output, again.output


def test_env_refuses_while_signatures_are_required(tmp_path, host):
    env_file = install(host, 'mattermost.env')
    env_file.write_text(env_file.read_text() + 'export MM_PLUGINSETTINGS_REQUIREPLUGINSIGNATURE="True"\n')
    original = env_file.read_bytes()
    run = run_role(tmp_path, host, mattermost_install_type='env', mattermost_plugin_uploads=True)
    assert run.rc != 0
    assert 'refusing to enable plugin uploads: RequirePluginSignature is true' in run.output
    assert 'MM_PLUGINSETTINGS_REQUIREPLUGINSIGNATURE in %s' % env_file in run.output
    assert env_file.read_bytes() == original


def test_env_reads_require_signature_from_config_json(tmp_path, host):
    config = install(host, 'config.json')
    config.write_bytes(config.read_bytes().replace(b'"RequirePluginSignature": false', b'"RequirePluginSignature": true'))
    run = run_role(tmp_path, host, mattermost_install_type='env', mattermost_plugin_uploads=True)
    assert run.rc != 0 and 'PluginSettings.RequirePluginSignature in %s' % config in run.output, run.output
    assert not (host / 'mattermost.env').exists()


def test_env_file_is_created_private(tmp_path, host):
    run = run_role(tmp_path, host, mattermost_install_type='env', mattermost_plugin_uploads=True)
    assert run.rc == 0, run.output
    env_file = host / 'mattermost.env'
    assert env_file.read_text() == 'MM_PLUGINSETTINGS_ENABLEUPLOADS=true\n'
    assert stat.S_IMODE(os.stat(str(env_file)).st_mode) == 0o600


def test_restart_off_says_a_restart_is_needed(tmp_path, host):
    install(host, 'config.json')
    run = run_role(tmp_path, host, mattermost_plugin_uploads=True, mattermost_restart=False)
    assert run.rc == 0 and 'mattermost_restart is false' in run.output, run.output
    assert not (host / 'restarted').exists()


def test_waits_for_the_api_after_the_restart(sim, tmp_path, host):
    install(host, 'config.json')
    run = run_role(tmp_path, host, mattermost_plugin_uploads=True, mattermost_wait_for_api=True, mattermost_url=sim.url)
    assert run.rc == 0, run.output
    assert 'Wait until the Mattermost API answers' in run.output
    assert any(r['method'] == 'GET' and r['path'].endswith('/api/v4/system/ping') for r in sim.requests())


def test_module_examples_run(tmp_path, host):
    config = install(host, 'config.json')
    run = run_tasks(tmp_path, module_examples('plugin_uploads_config'), json_output=False, extra_vars={'mattermost_config_path': str(config)})
    assert run.rc == 0 and 'changed=2' in run.output, run.output
    assert json.loads(config.read_bytes())['PluginSettings']['EnableUploads'] is False
