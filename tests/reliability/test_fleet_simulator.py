# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The simulator at fleet scale: 1,000 servers from one process that is cheap to keep and to stop, and never stuck."""

import socket
import time
import urllib.parse

import requests

from support.simulator import Simulator


def threads_of(pid):
    with open('/proc/%d/status' % pid) as status:
        return next(int(line.split()[1]) for line in status if line.startswith('Threads:'))


def test_a_1000_server_simulator_runs_on_a_few_threads_and_stops_at_once(tmp_path):
    simulator = Simulator(tmp_path, '--servers', '1000')
    try:
        last = simulator.server(999)
        assert len(simulator.fleet) == 1000 and len(set(server['url'] for server in simulator.fleet)) == 1000
        assert last.state()['plugins'] == {}
        # Idle after serving (the connection's thread ends as the client closes): the main thread and one
        # accepting thread, not a thread per listening port.
        deadline = time.monotonic() + 5
        while threads_of(simulator.process.pid) > 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert threads_of(simulator.process.pid) == 2
    finally:
        started = time.monotonic()
        simulator.stop()
        stopped = time.monotonic() - started
    assert simulator.process.returncode == 0
    assert stopped < 3, 'stopping 1,000 servers took %.1f s' % stopped


def test_a_client_stalling_its_tls_handshake_does_not_hold_up_other_requests(tls_sim):
    address = urllib.parse.urlsplit(tls_sim.url)
    # Connected and accepted, but never sends its ClientHello.
    with socket.create_connection((address.hostname, address.port)):
        time.sleep(0.2)
        response = requests.get(tls_sim.url + '/api/v4/system/ping', verify=tls_sim.ca_file, timeout=5)
    assert response.status_code == 200 and response.json()['status'] == 'OK'
