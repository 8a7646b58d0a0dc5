# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment(object):
    # The connection options every API module shares (module_defaults group mmops.mattermost.api).
    DOCUMENTATION = r"""
options:
  url:
    description:
      - Base URL of the Mattermost server, for example C(https://chat.example.com).
      - If not set, the value of the E(MATTERMOST_URL) environment variable is used.
      - A plain C(http://) URL to a host other than this one (C(localhost), C(127.0.0.0/8), C(::1)) prints a warning on
        every run, since the token then crosses the network unencrypted.
    type: str
    required: true
  token:
    description:
      - Personal access token or bot token of an account with the system console permissions the task needs.
      - If not set, the value of the E(MATTERMOST_TOKEN) environment variable is used.
      - Never shown in output or logs.
    type: str
    required: true
  validate_certs:
    description:
      - Verify the TLS certificate of the server (and of Marketplace and bundle hosts).
      - If not set, the value of the E(MATTERMOST_VALIDATE_CERTS) environment variable is used.
      - Turning this off prints a warning on every run; prefer O(ca_path) for a private CA.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file with the CA certificate(s) that sign the server's certificate, for a private CA.
      - If not set, the value of the E(MATTERMOST_CA_PATH) environment variable is used.
    type: path
  timeout:
    description:
      - Seconds to wait for each HTTP answer. Connection errors and HTTP 429, 502, 503 and 504 answers are
        retried 3 times with backoff (honouring C(Retry-After)); a server slower than this fails at once.
    type: float
    default: 30
requirements:
  - requests >= 2.25
"""
