# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Real ansible-playbook runs with this collection, and what they returned."""

import json
import os
import signal
import subprocess
import sys
import tempfile

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
BIN = os.path.dirname(sys.executable)
WRITE_METHODS = ('POST', 'PUT', 'PATCH', 'DELETE')
CALLBACKS = os.path.join(REPO, 'tests', 'integration', 'callback_plugins')


def collections_path():
    """A collections tree in which mmops.mattermost is this source tree."""
    root = os.path.join(REPO, '.build', 'collections')
    link = os.path.join(root, 'ansible_collections', 'mmops', 'mattermost')
    if not os.path.exists(link):
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink(REPO, link)
    return root


class PlaybookRun:
    def __init__(self, completed):
        self.rc = completed.returncode
        self.output = completed.stdout + completed.stderr
        self.stats = {}
        self.results = {}
        # Every host's: stats_by_host[host], results_by_host[task name][host].
        self.stats_by_host = {}
        self.results_by_host = {}
        try:
            document = json.loads(completed.stdout)
        except ValueError:
            return
        self.stats_by_host = document.get('stats', {})
        self.stats = self.stats_by_host.get('localhost', {})
        for play in document.get('plays', []):
            for task in play.get('tasks', []):
                self.results[task['task']['name']] = task['hosts'].get('localhost', {})
                self.results_by_host.setdefault(task['task']['name'], {}).update(task['hosts'])

    @property
    def changed(self):
        return self.stats.get('changed', 0)


def run_tasks(tmp_path, tasks, sim=None, extra_vars=None, args=(), env=None, json_output=True, connection_defaults=True, timeout=600):
    """Run `tasks` as a localhost playbook with ansible-playbook; the connection points at `sim`."""
    play = dict(hosts='localhost', gather_facts=False, tasks=tasks)
    variables = dict(extra_vars or {})
    if sim is not None and connection_defaults:
        play['module_defaults'] = {'group/mmops.mattermost.api': {'url': '{{ mm_url }}', 'token': '{{ mm_token }}'}}
        variables.update(mm_url=sim.url, mm_token=sim.token)
    playbook = os.path.join(str(tmp_path), 'playbook-%d.yml' % len(os.listdir(str(tmp_path))))
    with open(playbook, 'w') as handle:
        json.dump([play], handle)
    return run_playbook(playbook, variables, args=args, env=env, json_output=json_output, timeout=timeout)


def process_tree(pid):
    """`pid` and all its descendants, parents first (Linux /proc)."""
    children = {}
    for entry in filter(str.isdigit, os.listdir('/proc')):
        try:
            with open('/proc/%s/stat' % entry) as handle:
                fields = handle.read().rsplit(')', 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    tree, index = [pid], 0
    while index < len(tree):
        tree += children.get(tree[index], [])
        index += 1
    return tree


def kill_tree(pid):
    """SIGKILL a process and all its descendants. ansible-playbook's workers start sessions of their
    own, so killing its process group would leave them, and the modules they run, behind."""
    for member in process_tree(pid):
        try:
            os.kill(member, signal.SIGKILL)
        except OSError:
            pass


def run_playbook(playbook, variables, inventory='localhost,', args=(), env=None, json_output=True, timeout=600):
    """ansible-playbook `playbook` with this collection; hosts of `inventory` other than localhost need their own connection."""
    run_env = dict(
        os.environ,
        ANSIBLE_COLLECTIONS_PATH=collections_path(),
        ANSIBLE_NOCOLOR='1',
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        ANSIBLE_RETRY_FILES_ENABLED='0',
        PATH=BIN + os.pathsep + os.environ.get('PATH', ''),
    )
    if json_output:
        run_env.update(ANSIBLE_STDOUT_CALLBACK='results_json', ANSIBLE_CALLBACK_PLUGINS=CALLBACKS)
    # Downloaded bundles are cached per test process, not in the user's ~/.cache.
    run_env.setdefault('MMOPS_MATTERMOST_BUNDLE_CACHE', os.path.join(tempfile.gettempdir(), 'mmops-test-bundles-%d' % os.getpid()))
    run_env.update(env or {})
    command = [os.path.join(BIN, 'ansible-playbook'), '-i', inventory, '-c', 'local', playbook, '-e', json.dumps(variables)] + list(args)
    with subprocess.Popen(command, env=run_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_tree(process.pid)
            process.communicate()
            raise
    return PlaybookRun(subprocess.CompletedProcess(command, process.returncode, stdout, stderr))


def plugin_task(name, register_errors=True, **args):
    """A task calling mmops.mattermost.plugin; failures are kept (ignore_errors) so tests can read the message."""
    task = {'name': name, 'mmops.mattermost.plugin': args}
    if register_errors:
        task['ignore_errors'] = True
    return task


def fleet_inventory(path, servers, names=None, **extra_hosts):
    """A JSON inventory whose group mattermost holds one local host per server, named `names` (default server0, ...),
    in that order (serial batches follow it), plus `extra_hosts`: name -> vars."""
    names = names or ['server%d' % index for index in range(len(servers))]
    hosts = dict((name, {'mattermost_url': server.url, 'mattermost_token': server.token}) for name, server in zip(names, servers, strict=True))
    hosts.update(extra_hosts)
    for host_vars in hosts.values():
        host_vars.update(ansible_connection='local')
    path.write_text(json.dumps({'mattermost': {'hosts': hosts}}))
    return str(path)
