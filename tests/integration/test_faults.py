# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Transport faults injected by the simulator: what is retried, and what fails clearly and in time."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import time

from conftest import plugin_task, run_tasks


def statuses_answers(sim):
    return [r['status'] for r in sim.requests() if r['path'] == '/api/v4/plugins/statuses']


def test_connection_resets_are_retried(sim, tmp_path):
    sim.fault(path='^/api/v4/plugins/statuses$', reset=True, times=2)
    run = run_tasks(tmp_path, [plugin_task('github', id='github')], sim)
    assert run.results['github'].get('failed') is not True, run.output
    assert run.results['github']['plugin']['installed'] is True
    assert statuses_answers(sim)[:3] == [0, 0, 200]


def test_a_burst_longer_than_the_retries_fails_with_the_status(sim, tmp_path):
    sim.fault(path='^/api/v4/plugins/statuses$', status=502, times=-1)
    run = run_tasks(tmp_path, [plugin_task('github', id='github')], sim)
    result = run.results['github']
    assert result['failed'] is True
    assert 'GET /api/v4/plugins/statuses failed with HTTP 502' in result['msg']
    # The first try and three retries, then no more.
    assert statuses_answers(sim) == [502] * 4
    assert sim.writes() == []


def test_an_answer_slower_than_the_timeout_fails_within_it(sim, tmp_path):
    sim.fault(path='^/api/v4/config$', delay=6, times=1)
    started = time.time()
    run = run_tasks(tmp_path, [plugin_task('github', id='github', timeout=1)], sim)
    elapsed = time.time() - started
    result = run.results['github']
    assert result['failed'] is True
    assert 'GET /api/v4/config: no answer from' in result['msg'] and 'within 1.0 seconds' in result['msg']
    # A slow server is not retried: the run ends well before the slow answer would have come.
    assert elapsed < 6, elapsed
    assert sim.writes() == []
