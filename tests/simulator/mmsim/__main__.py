"""python -m mmsim: start the simulated Mattermost server and its Marketplace until SIGTERM or Ctrl-C."""

import argparse
import json
import os
import signal
import ssl
import sys
import threading

from mmsim.httpd import Simulator


def main(argv=None):
    parser = argparse.ArgumentParser(prog='mmsim', description='Mattermost plugin API and Marketplace test double.')
    parser.add_argument('--host', default='127.0.0.1', help='address to listen on (default 127.0.0.1)')
    parser.add_argument('--port', type=int, default=8065, help='Mattermost API port; 0 picks a free one')
    parser.add_argument('--marketplace-port', type=int, default=0, help='Marketplace port; 0 (default) picks a free one')
    parser.add_argument('--state-file', help='write {url, marketplace_url, token} here (atomically) once serving')
    parser.add_argument('--tls-cert', help='PEM certificate: serve the API over https')
    parser.add_argument('--tls-key', help='PEM private key of --tls-cert')
    parser.add_argument(
        '--servers', type=int, default=1, help='independent Mattermost servers to simulate (a fleet); the first one listens on --port, the others on free ports'
    )
    parser.add_argument('--scenario', help='JSON file of /__sim/reset fields to start with (e.g. data/scenario-demo.json)')
    args = parser.parse_args(argv)

    context = None
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
    sim = Simulator(args.host, args.port, args.marketplace_port, context, servers=args.servers)
    if args.scenario:
        with open(args.scenario) as handle:
            scenario = json.load(handle)
        for site in sim.sites:
            site.server.reset(scenario)
    sim.serve_forever()
    servers = [{'url': site.url, 'token': site.server.token} for site in sim.sites]
    state = dict(servers[0], marketplace_url=sim.marketplace.base_url, servers=servers, pid=os.getpid())
    if args.state_file:
        temporary = args.state_file + '.tmp'
        with open(temporary, 'w') as handle:
            json.dump(state, handle)
        os.replace(temporary, args.state_file)
    else:
        print('Marketplace: %s' % state['marketplace_url'])
        for server in servers:
            print('Mattermost simulator: %(url)s  token: %(token)s' % server)
        sys.stdout.flush()

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    stop.wait()
    sim.shutdown()
    return 0


if __name__ == '__main__':
    sys.exit(main())
