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
    parser.add_argument('--scenario', help='JSON file of /__sim/reset fields to start with (e.g. data/scenario-demo.json)')
    args = parser.parse_args(argv)

    context = None
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
    sim = Simulator(args.host, args.port, args.marketplace_port, context)
    if args.scenario:
        with open(args.scenario) as handle:
            sim.server.reset(json.load(handle))
    sim.serve_forever()
    state = {'url': sim.url, 'marketplace_url': sim.marketplace.base_url, 'token': sim.server.token, 'pid': os.getpid()}
    if args.state_file:
        temporary = args.state_file + '.tmp'
        with open(temporary, 'w') as handle:
            json.dump(state, handle)
        os.replace(temporary, args.state_file)
    else:
        print('Mattermost simulator: %(url)s  Marketplace: %(marketplace_url)s  token: %(token)s' % state, flush=True)

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    stop.wait()
    sim.shutdown()
    return 0


if __name__ == '__main__':
    sys.exit(main())
