# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reliability suite runs on the integration harness: the same simulator fixtures and playbook runners.

The fixtures live in tests/support/harness.py, shared with the integration suite; test modules import the helpers
from tests/support.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from support.harness import config_store, fleet, fleet_process, keys, nssm, sim, sim_process, tls_sim, units  # noqa: E402,F401 pylint: disable=unused-import
