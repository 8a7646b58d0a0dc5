# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The simulator (tests/simulator/mmsim) as a real process, driven through its /__sim control API."""

import copy
import json
import os
import signal
import subprocess
import sys
import time

import requests

from support.playbooks import REPO, WRITE_METHODS


class Simulator:
    """One simulator process, driven through its /__sim control API."""

    def __init__(self, workdir, *args):
        state_file = os.path.join(str(workdir), 'sim-state.json')
        env = dict(os.environ, PYTHONPATH=os.path.join(REPO, 'tests', 'simulator'))
        # What the simulator logs (its stderr): the server side of a run, which must never show a secret either.
        self.log = os.path.join(str(workdir), 'sim.log')
        self.process = subprocess.Popen(
            [sys.executable, '-m', 'mmsim', '--port', '0', '--state-file', state_file] + list(args),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.log, 'w'),
        )
        deadline = time.time() + 30
        while not os.path.exists(state_file):
            if self.process.poll() is not None or time.time() > deadline:
                raise RuntimeError('the simulator did not start; see %s' % os.path.join(str(workdir), 'sim.log'))
            time.sleep(0.05)
        with open(state_file) as handle:
            state = json.load(handle)
        self.url = state['url']
        self.marketplace_url = state['marketplace_url']
        self.token = state['token']
        self.verify = True
        self.fleet = state['servers']

    def server(self, index):
        """The same controls for server `index` of a fleet simulator (--servers N)."""
        other = copy.copy(self)
        other.url, other.token = self.fleet[index]['url'], self.fleet[index]['token']
        return other

    def control(self, method, path, body=None):
        response = requests.request(method, self.url + '/__sim/' + path, json=body, timeout=10, verify=self.verify)
        response.raise_for_status()
        return response.json() if response.content else None

    def reset(self, **overrides):
        self.control('POST', 'reset', overrides)

    def requests(self):
        return self.control('GET', 'requests')

    def writes(self):
        return [r for r in self.requests() if r['service'] == 'server' and r['method'] in WRITE_METHODS]

    def state(self):
        return self.control('GET', 'state')

    def plugin(self, plugin_id):
        return self.state()['plugins'].get(plugin_id)

    def fault(self, **rule):
        self.control('POST', 'faults', rule)

    def bundle_url(self, plugin_id, version):
        return '%s/bundles/%s-%s.tar.gz' % (self.marketplace_url, plugin_id, version)

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
