# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Build the real Mattermost servers and the test plugin that `make e2e` runs, once, into a cache.

Each server of tests/e2e/versions.json is built from its Go module through a throw-away wrapper module
(`go install pkg@version` refuses modules whose go.mod has replace directives), Team Edition (no enterprise
tag), CGO off, into <cache>/mattermost/<pseudo-version>/ with its runtime tree (i18n, templates, fonts; empty
client, plugins, data). The test plugin's server binary is built into <cache>/e2e-plugin/<source hash>/.
A directory is used only once it is complete (a `.complete` stamp), so an interrupted build starts again.

Prints what it builds and how long it took; the last line is JSON: {"servers": {name: dir}, "plugin": path}.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VERSIONS = os.path.join(REPO, 'tests', 'e2e', 'versions.json')
PLUGIN_SOURCE = os.path.join(REPO, 'tests', 'e2e', 'plugin')
SERVER_MODULE = 'github.com/mattermost/mattermost/server/v8'
PUBLIC_MODULE = 'github.com/mattermost/mattermost/server/public'
STAMP = '.complete'
RUNTIME_TREE = ('i18n', 'templates', 'fonts')
EMPTY_DIRS = ('client', 'plugins', 'data', 'logs', 'config')


def cache_root():
    default = os.path.join(os.environ.get('XDG_CACHE_HOME') or os.path.expanduser('~/.cache'), 'mmops.mattermost')
    return os.environ.get('MMOPS_E2E_CACHE') or default


def go_env():
    """The machine's own Go settings, plus what the build needs.

    GONOSUMDB: the checksum database reached through the module proxy here does not know these Mattermost
    pseudo-versions (a lookup answers 404), so their sums are taken from the proxy's download; every other
    module is still verified against the database.
    """
    env = dict(os.environ, CGO_ENABLED='0', GOFLAGS='-mod=mod')
    env['GONOSUMDB'] = ','.join(filter(None, [os.environ.get('GONOSUMDB'), 'github.com/mattermost/mattermost']))
    return env


def go(args, cwd, capture=False):
    completed = subprocess.run(['go'] + args, cwd=cwd, env=go_env(), text=True, check=False, stdout=subprocess.PIPE if capture else None)
    if completed.returncode != 0:
        sys.exit('build-mattermost: `go %s` failed (exit %d)' % (' '.join(args), completed.returncode))
    return completed.stdout


def say(text):
    print('build-mattermost: %s' % text, flush=True)


def finish(target, started):
    with open(os.path.join(target, STAMP), 'w') as handle:
        handle.write('%.0f\n' % (time.time() - started))
    say('built %s in %.0f s' % (target, time.time() - started))


def build_server(entry, unavailable):
    target = os.path.join(cache_root(), 'mattermost', entry['server'])
    if os.path.exists(os.path.join(target, STAMP)):
        say('Mattermost %s (%s) is cached in %s' % (entry['name'], entry['server'], target))
        return target
    started = time.time()
    say(
        'building Mattermost %s: %s@%s with %s@%s (a cold build takes many minutes)'
        % (entry['name'], SERVER_MODULE, entry['server'], PUBLIC_MODULE, entry['public'])
    )
    shutil.rmtree(target, ignore_errors=True)
    wrapper = tempfile.mkdtemp(prefix='mmops-mattermost-build-')
    try:
        go(['mod', 'init', 'mmops.local/mattermost-build'], wrapper)
        go(['mod', 'edit', '-require=%s@%s' % (SERVER_MODULE, entry['server']), '-require=%s@%s' % (PUBLIC_MODULE, entry['public'])], wrapper)
        module = json.loads(go(['mod', 'download', '-json', '%s@%s' % (SERVER_MODULE, entry['server'])], wrapper, capture=True))
        server_mod = json.loads(go(['mod', 'edit', '-json', module['GoMod']], wrapper, capture=True))
        edits = ['-go=%s' % server_mod['Go']]
        # The server's own replace and exclude directives apply only in its own module: copy them.
        for replace in server_mod.get('Replace') or []:
            old, new = replace['Old'], replace['New']
            if unavailable.get(new['Path'], {}).get('skip_replace'):
                say('not copying the replace %s => %s: %s' % (old['Path'], new['Path'], unavailable[new['Path']]['why']))
                continue
            edits.append(
                '-replace=%s=%s'
                % (old['Path'] + ('@' + old['Version'] if old.get('Version') else ''), new['Path'] + ('@' + new['Version'] if new.get('Version') else ''))
            )
        for exclude in server_mod.get('Exclude') or []:
            edits.append('-exclude=%s@%s' % (exclude['Path'], exclude['Version']))
        for path, fix in unavailable.items():
            if isinstance(fix, dict) and 'replacement' in fix:
                edits.append('-replace=%s@%s=%s@%s' % (path, fix['wanted'], path, fix['replacement']))
        go(['mod', 'edit'] + edits, wrapper)
        with open(os.path.join(wrapper, 'tools.go'), 'w') as handle:
            handle.write('//go:build tools\n\npackage tools\n\nimport _ "%s/cmd/mattermost"\n' % SERVER_MODULE)
        staging = target + '.partial'
        shutil.rmtree(staging, ignore_errors=True)
        os.makedirs(os.path.join(staging, 'bin'))
        model = PUBLIC_MODULE + '/model'
        ldflags = '-X %s.BuildNumber=mmops-e2e -X %s.BuildHash=%s -X %s.BuildEnterpriseReady=false' % (model, model, entry['commit'], model)
        say('compiling %s/cmd/mattermost' % SERVER_MODULE)
        go(['build', '-trimpath', '-ldflags', ldflags, '-o', os.path.join(staging, 'bin', 'mattermost'), SERVER_MODULE + '/cmd/mattermost'], wrapper)
        for name in RUNTIME_TREE:
            shutil.copytree(os.path.join(module['Dir'], name), os.path.join(staging, name))
        for name in EMPTY_DIRS:
            os.makedirs(os.path.join(staging, name), exist_ok=True)
        # The module cache is read-only: the copied tree must be writable like an install's.
        for root, dirs, files in os.walk(staging):
            for name in dirs + files:
                os.chmod(os.path.join(root, name), 0o755 if name in dirs or name == 'mattermost' else 0o644)
        os.rename(staging, target)
    finally:
        shutil.rmtree(wrapper, ignore_errors=True)
    finish(target, started)
    return target


def build_plugin():
    digest = hashlib.sha256()
    for name in sorted(os.listdir(PLUGIN_SOURCE)):
        with open(os.path.join(PLUGIN_SOURCE, name), 'rb') as handle:
            digest.update(name.encode() + b'\0' + handle.read())
    target = os.path.join(cache_root(), 'e2e-plugin', digest.hexdigest()[:16])
    binary = os.path.join(target, 'plugin-linux-amd64')
    if os.path.exists(os.path.join(target, STAMP)):
        say('the test plugin is cached in %s' % target)
        return binary
    started = time.time()
    say('building the test plugin (tests/e2e/plugin) into %s' % target)
    os.makedirs(target, exist_ok=True)
    go(['build', '-trimpath', '-o', binary, '.'], PLUGIN_SOURCE)
    finish(target, started)
    return binary


def main(names):
    with open(VERSIONS) as handle:
        versions = json.load(handle)
    if shutil.which('go') is None:
        sys.exit('build-mattermost: no `go` on PATH: the real-server tests need Go (see the README prerequisites)')
    servers = [entry for entry in versions['servers'] if not names or entry['name'] in names]
    unknown = set(names) - set(entry['name'] for entry in servers)
    if unknown:
        sys.exit('build-mattermost: no server named %s in %s' % (', '.join(sorted(unknown)), VERSIONS))
    built = dict((entry['name'], build_server(entry, versions.get('unavailable_here', {}))) for entry in servers)
    print(json.dumps({'servers': built, 'plugin': build_plugin()}))


if __name__ == '__main__':
    main(sys.argv[1:])
