# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The bundle cache cannot be used to plant a bundle: no directory others can write, no links (#15 point 12)."""

import hashlib
import os
import shutil

import pytest
import requests

from support.playbooks import plugin_task, run_tasks
from support.harness import PASSPHRASE, signature_task

WEBHOOKS = 'com.example.webhooks'


def webhooks(sim, version='0.2.0'):
    """The simulator's webhooks bundle: (its URL, its bytes, their SHA-256)."""
    url = sim.bundle_url(WEBHOOKS, version)
    data = requests.get(url, timeout=10).content
    return url, data, hashlib.sha256(data).hexdigest()


def install(sim, tmp_path, cache, url, digest, in_process=True):
    env = {'MMOPS_MATTERMOST_BUNDLE_CACHE': str(cache), 'MMOPS_MATTERMOST_IN_PROCESS': str(in_process).lower()}
    run = run_tasks(tmp_path, [plugin_task('cached', id=WEBHOOKS, source='url', src=url, checksum='sha256:' + digest)], sim, env=env)
    return run.results['cached']


@pytest.mark.parametrize('in_process', [True, False], ids=['in-process', 'module'])
def test_a_bundle_cache_others_can_write_is_refused_before_anything_is_read_from_it(sim, tmp_path, in_process):
    url, data, digest = webhooks(sim)
    cache = tmp_path / 'cache'
    cache.mkdir()
    cache.chmod(0o777)
    (cache / (digest + '.tar.gz')).write_bytes(data)
    result = install(sim, tmp_path, cache, url, digest, in_process)
    assert result.get('failed') is True, result
    assert 'the bundle cache %s is writable by group and others (mode 0777), so a bundle planted there could be uploaded' % cache in result['msg']
    assert sim.writes() == [] and sim.plugin(WEBHOOKS) is None


@pytest.mark.parametrize('in_process', [True, False], ids=['in-process', 'module'])
def test_a_link_in_the_bundle_cache_is_not_followed(sim, tmp_path, in_process):
    url, data, digest = webhooks(sim)
    planted = tmp_path / 'planted.tar.gz'
    planted.write_bytes(data)
    cache = tmp_path / 'cache'
    cache.mkdir(mode=0o700)
    os.symlink(str(planted), str(cache / (digest + '.tar.gz')))
    result = install(sim, tmp_path, cache, url, digest, in_process)
    assert result.get('failed') is True, result
    assert '%s in the bundle cache is a symbolic link' % (cache / (digest + '.tar.gz')) in result['msg']
    assert sim.writes() == [] and sim.plugin(WEBHOOKS) is None


def test_a_private_cache_still_saves_the_second_download(sim, tmp_path):
    """The refusals above are the cache's checks, not a cache that no longer works."""
    url, dummy, digest = webhooks(sim)
    cache = tmp_path / 'cache'
    assert install(sim, tmp_path, cache, url, digest).get('failed') is not True
    sim.reset()
    assert install(sim, tmp_path, cache, url, digest, in_process=False).get('failed') is not True
    assert sim.plugin(WEBHOOKS)['version'] == '0.2.0'
    downloads = [r for r in sim.requests() if r['service'] == 'marketplace' and r['path'].endswith('webhooks-0.2.0.tar.gz')]
    assert downloads == []


def swapping_gpg(directory, cached, other):
    """A gpg on PATH that is the real one, but once it has checked a signature, `cached` is replaced by `other`:
    the cache changing between the checks and the upload."""
    script = directory / 'gpg'
    script.write_text(
        '#!/bin/sh\nfor arg in "$@"; do [ "$arg" = "--verify" ] && verifying=1; done\n%s "$@"; status=$?\n'
        '[ -n "$verifying" ] && cp %s %s.swap && mv %s.swap %s\nexit $status\n' % (shutil.which('gpg'), other, cached, cached, cached)
    )
    script.chmod(0o755)
    return str(directory) + os.pathsep + os.environ['PATH']


@pytest.mark.xdist_group('keys')
@pytest.mark.parametrize('in_process', [True, False], ids=['in-process', 'module'])
def test_the_bytes_uploaded_are_the_bytes_hashed_and_verified_even_if_the_cache_changes(sim, tmp_path, keys, in_process):
    url, data, digest = webhooks(sim)
    older = tmp_path / 'older.tar.gz'
    older.write_bytes(webhooks(sim, '0.1.0')[1])
    cache = tmp_path / 'cache'
    cache.mkdir(mode=0o700)
    cached = cache / (digest + '.tar.gz')
    cached.write_bytes(data)
    signed = tmp_path / 'signed.tar.gz'
    signed.write_bytes(data)
    sign = run_tasks(tmp_path, [signature_task('sign', path=str(signed), state='signed', key_id=keys.fingerprint, gnupghome=keys.home, passphrase=PASSPHRASE)])
    assert sign.results['sign']['changed'] is True, sign.output
    env = {'MMOPS_MATTERMOST_BUNDLE_CACHE': str(cache), 'MMOPS_MATTERMOST_IN_PROCESS': str(in_process).lower(), 'PATH': swapping_gpg(tmp_path, cached, older)}
    task = plugin_task('swapped', id=WEBHOOKS, source='url', src=url, checksum='sha256:' + digest, signature=str(signed) + '.sig', trusted_keys=[keys.public])
    run = run_tasks(tmp_path, [task], sim, env=env)
    assert cached.read_bytes() != data, 'the cache was not changed: the case proves nothing'
    assert run.results['swapped'].get('failed') is not True, run.output
    assert sim.plugin(WEBHOOKS)['version'] == '0.2.0'
