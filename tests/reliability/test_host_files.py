# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Files on the server host: replaced atomically, mode and owner kept, a backup on request, never half written."""

import json
import os
import random
import shutil
import stat
import subprocess
import sys
import time

import pytest

from support.harness import key_task, uploads_vars
from support.playbooks import collections_path, REPO, run_tasks

# An owner other than the one running the tests (root here), to see that a write keeps it.
OWNER = (65534, 65534)
KILLS = 10

# Writes `new` over the file again and again with the module's own write helper, saying after each write, until killed.
WRITER = """
import sys
from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.testing import patch_module_args
from ansible_collections.mmops.mattermost.plugins.module_utils._files import replace_file

path, helper, old, new = sys.argv[1:5]
with patch_module_args({}):
    module = AnsibleModule(argument_spec={})
contents = open(new).read()
print('ready', flush=True)
while True:
    if helper == 'config.json':
        replace_file(path, contents.encode('utf-8'), module=module)
    else:
        replace_file(path, fill=lambda temporary: open(temporary, 'w').write(contents), mode=0o600)
    print('wrote', flush=True)
"""


def owned(path, mode):
    os.chown(str(path), *OWNER)
    os.chmod(str(path), mode)


def mode_and_owner(path):
    status = os.stat(str(path))
    return stat.S_IMODE(status.st_mode), (status.st_uid, status.st_gid)


def large_config(marker):
    """A config.json of a few MB, as Mattermost writes it, so that a write takes long enough to be interrupted."""
    plugins = dict(('com.example.p%05d' % index, {'apikey': marker * 8, 'enabled': index % 2 == 0}) for index in range(20000))
    return json.dumps({'PluginSettings': {'Enable': True, 'Plugins': plugins, 'Marker': marker}}, indent=4)


@pytest.mark.skipif(os.geteuid() != 0, reason='keeping another owner needs root')
@pytest.mark.parametrize('helper', ['config.json', 'streamed'])
def test_a_write_killed_at_any_point_leaves_the_old_or_the_new_file(tmp_path, helper):
    """_files.replace_file, the one writer of host files: with the module (config.json), and streamed (bundles, signatures)."""
    directory = tmp_path / 'config'
    directory.mkdir()
    target = directory / 'config.json'
    old, new = tmp_path / 'old.json', tmp_path / 'new.json'
    old.write_text(large_config('old'))
    new.write_text(large_config('new'))
    shutil.copyfile(str(old), str(target))
    owned(target, 0o640)
    env = dict(os.environ, PYTHONPATH=collections_path())
    seen = set()
    for attempt in range(KILLS):
        writer = subprocess.Popen([sys.executable, '-c', WRITER, str(target), helper, str(old), str(new)], env=env, stdout=subprocess.PIPE)
        assert writer.stdout.readline() == b'ready\n'
        if attempt == KILLS - 1:
            # The last kill comes after a write has completed, however loaded the machine: the new file must be whole.
            assert writer.stdout.readline() == b'wrote\n'
        else:
            time.sleep(random.uniform(0, 0.3))
        writer.kill()
        writer.wait()
        writer.stdout.close()
        text = target.read_text()
        seen.add(json.loads(text)['PluginSettings']['Marker'])
        assert text in (old.read_text(), new.read_text()), 'attempt %d left a file that is neither' % attempt
        assert mode_and_owner(target) == (0o640, OWNER)
    # The kills did land inside writes (each leaves its temporary file behind), and writes did complete.
    assert [name for name in os.listdir(str(directory)) if name != 'config.json'], 'no kill interrupted a write'
    assert 'new' in seen


@pytest.mark.xdist_group('keys')
@pytest.mark.skipif(os.geteuid() != 0, reason='keeping another owner needs root')
def test_every_host_write_keeps_mode_and_owner_and_backs_up_on_request(keys, tmp_path):
    host = tmp_path / 'host'
    host.mkdir()
    uploads_source = os.path.join(REPO, 'extensions', 'molecule', 'plugin_uploads', 'files')
    config = host / 'config.json'
    shutil.copyfile(os.path.join(uploads_source, 'config.json'), str(config))
    owned(config, 0o640)
    omnibus_host = tmp_path / 'omnibus'
    omnibus_host.mkdir()
    for name in ('mmomni.yml', 'config.json'):
        shutil.copyfile(os.path.join(uploads_source, name), str(omnibus_host / name))
    omnibus = omnibus_host / 'mmomni.yml'
    owned(omnibus, 0o604)
    originals = dict((path, path.read_bytes()) for path in (config, omnibus))
    run = run_tasks(
        tmp_path,
        [
            {'name': 'uploads', 'mmops.mattermost.plugin_uploads_config': {'path': str(config), 'enabled': True, 'backup': True}},
            key_task('key', name='example-plugins.asc', src=keys.public, config_path=str(config), backup=True),
            {
                'name': 'omnibus',
                'ansible.builtin.include_role': {'name': 'mmops.mattermost.plugin_uploads'},
                'vars': uploads_vars(omnibus_host, mattermost_plugin_uploads=True),
            },
        ],
    )
    assert run.rc == 0, run.output
    assert run.results['uploads']['changed'] is True and run.results['key']['changed'] is True, run.output
    assert mode_and_owner(config) == (0o640, OWNER)
    assert mode_and_owner(omnibus) == (0o604, OWNER)
    # A new companion file: readable by the server only, owned like its config.json.
    assert mode_and_owner(host / 'example-plugins.asc') == (0o600, OWNER)
    # Each backup holds the file as it was before that task.
    assert open(run.results['uploads']['backup_file'], 'rb').read() == originals[config]
    assert b'"EnableUploads": true' in open(run.results['key']['backup_file'], 'rb').read()
    [omnibus_backup] = [name for name in os.listdir(str(omnibus_host)) if name.startswith('mmomni.yml.')]
    assert (omnibus_host / omnibus_backup).read_bytes() == originals[omnibus]
    # Nothing half written stays behind.
    for directory in (host, omnibus_host):
        assert not [name for name in os.listdir(str(directory)) if name.startswith('.')], os.listdir(str(directory))
