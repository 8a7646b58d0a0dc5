# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Deadline: a subprocess past its time is killed, one that ends in time is left alone."""

import subprocess
import time

from ansible_collections.mmops.mattermost.plugins.module_utils._deadline import Deadline


def test_a_process_past_its_deadline_is_killed():
    deadline = Deadline(0.5)
    started = time.time()
    with subprocess.Popen(['sleep', '60']) as process:
        deadline.watch(process)
        assert process.wait(30) != 0
    assert deadline.expired is True and time.time() - started < 30


def test_a_process_that_ends_in_time_is_left_alone():
    deadline = Deadline(30)
    with subprocess.Popen(['true']) as process:
        deadline.watch(process)
        assert process.wait(30) == 0
    assert deadline.expired is False
