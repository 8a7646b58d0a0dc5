# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""diagnose.yml on the real failure of the seed's troubleshooting: a service without WorkingDirectory, whose
server then cannot make ./client/plugins; service_workdir and plugin_dirs fix it and plugins start."""

import json
import os

import pytest

from support.e2e_plugin import KEY_NAME, start_server
from support.marketplace import Marketplace
from support.playbooks import REPO, plugin_task, run_playbook, run_tasks
from support.testplugin import PLUGIN_ID

from support.realserver import restart_command

UNIT = """[Unit]
Description=Mattermost
After=network.target

[Service]
Type=simple
ExecStart={binary}
User=root
Restart=always

[Install]
WantedBy=multi-user.target
"""


class Broken:
    def __init__(self, install, marketplace, unit_dir, token):
        self.install, self.marketplace, self.unit_dir, self.token = install, marketplace, unit_dir, token
        self.url = install.url


@pytest.fixture
def broken(server, artifacts, database_cluster, tmp_path):
    """A second server of the same version, run the way a unit without WorkingDirectory runs it."""
    marketplace = Marketplace()
    install = start_server(server.name, artifacts, database_cluster, str(tmp_path / 'host'), marketplace, label='diagnose', start=False)
    with open(install.config_path) as handle:
        config = json.load(handle)
    config['PluginSettings'].update(Directory='./plugins', ClientDirectory='./client/plugins')
    with open(install.config_path, 'w') as handle:
        json.dump(config, handle, indent=2)
    unit_dir = tmp_path / 'systemd'
    unit_dir.mkdir()
    (unit_dir / 'mattermost.service').write_text(UNIT.format(binary=install.state['binary']))
    (tmp_path / 'elsewhere').mkdir()
    install.state.update(systemd_unit_dir=str(unit_dir), systemd_default_cwd=str(tmp_path / 'elsewhere'))
    install.save()
    install.start()
    made = Broken(install, marketplace, str(unit_dir), install.bootstrap_admin())
    made.marketplace.publish(server.bundles.path('1.0.0'), server.bundles.manifests[(PLUGIN_ID, '1.0.0')], server.bundles.signature('1.0.0'))
    yield made
    marketplace.stop()
    install.stop()


def host_vars(broken, **more):
    variables = dict(
        mattermost_install_dir=broken.install.root,
        mattermost_config_path=broken.install.config_path,
        mattermost_systemd_unit_dirs=[broken.unit_dir],
        mattermost_systemd_dir=broken.unit_dir,
        mattermost_service_user='root',
        mattermost_user='root',
        mattermost_group='root',
        mattermost_url=broken.url,
        mattermost_token=broken.token,
    )
    variables.update(more)
    return variables


def test_diagnose_names_the_missing_working_directory_and_the_roles_make_plugins_start(broken, signing, tmp_path):
    assert 'mkdir ./client/plugins: no such file or directory' in broken.install.log_text()
    inventory = tmp_path / 'inventory.json'
    inventory.write_text(json.dumps({'mattermost': {'hosts': {'e2e': dict(ansible_connection='local')}}}))
    diagnosis = run_playbook(os.path.join(REPO, 'playbooks', 'diagnose.yml'), host_vars(broken), inventory=str(inventory), json_output=False)
    assert diagnosis.rc == 0, diagnosis.output
    assert 'WorkingDirectory' in diagnosis.output and 'mkdir ./client/plugins' in diagnosis.output, diagnosis.output

    fix = [
        {
            'name': 'service_workdir',
            'ansible.builtin.include_role': {'name': 'mmops.mattermost.service_workdir'},
            'vars': host_vars(broken, mattermost_daemon_reload=False, mattermost_restart=False),
        },
        {'name': 'plugin_dirs', 'ansible.builtin.include_role': {'name': 'mmops.mattermost.plugin_dirs'}, 'vars': host_vars(broken)},
        {'name': 'trust', 'mmops.mattermost.plugin_key': dict(name=KEY_NAME, src=signing.public, config_path=broken.install.config_path)},
        {'name': 'restart', 'ansible.builtin.command': {'argv': restart_command(broken)}, 'changed_when': True},
    ]
    run = run_tasks(tmp_path, fix, json_output=False)
    assert run.rc == 0, run.output
    assert broken.install.working_directory() == broken.install.root
    install = run_tasks(tmp_path, [plugin_task('install', id=PLUGIN_ID, enabled=True, url=broken.url, token=broken.token)])
    assert install.results['install'].get('failed') is not True, install.results['install']
    assert [node['state'] for node in install.results['install']['plugin']['nodes']] == ['running']
    again = run_playbook(os.path.join(REPO, 'playbooks', 'diagnose.yml'), host_vars(broken), inventory=str(inventory), json_output=False)
    assert again.rc == 0 and 'WorkingDirectory' not in again.output.split('TASK [Report]')[-1], again.output
