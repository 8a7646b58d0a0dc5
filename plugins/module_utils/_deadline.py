# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A time limit for a subprocess that has none of its own (psql on a stalled connection, gpg through python-gnupg)."""

import subprocess
import threading


class Deadline:
    """Kills a subprocess still running `seconds` after `watch` saw it start; `expired` says whether it had to.

    `watch` takes the Popen object, so it serves as AnsibleModule.run_command's before_communicate_callback.
    """

    def __init__(self, seconds):
        self.seconds = seconds
        self.expired = False

    def watch(self, process):
        # A daemon thread that ends with the process: nothing is left behind when it finishes in time.
        watcher = threading.Thread(target=self._wait, args=(process,))
        watcher.daemon = True
        watcher.start()

    def _wait(self, process):
        try:
            process.wait(self.seconds)
        except subprocess.TimeoutExpired:
            self.expired = True
            process.kill()
