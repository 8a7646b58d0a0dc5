# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reliability suite runs on the integration harness: the same simulator fixtures and playbook runners.

pytest imports each directory's conftest.py as the module `conftest`, so the integration one is loaded here
under its own name and its public names are re-exported: `from conftest import run_tasks` works in both suites,
and the integration test modules (their key and bundle fixtures) are importable by name.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import importlib.util
import os
import sys

import pytest

INTEGRATION = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'integration')
if INTEGRATION not in sys.path:
    sys.path.append(INTEGRATION)

_spec = importlib.util.spec_from_file_location('integration_conftest', os.path.join(INTEGRATION, 'conftest.py'))
_harness = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_harness)
globals().update((name, value) for name, value in vars(_harness).items() if not name.startswith('_'))

# Imported once the names above exist: test_signing imports them from `conftest`, this module.
from test_signing import make_keys  # noqa: E402

# The signing keys of tests/integration/test_signing.py, made once per worker: generating RSA keys is the slowest
# step of the suite, so every test using them is marked xdist_group('keys') and runs on one worker (--dist loadgroup).
keys = pytest.fixture(scope='session', name='keys')(make_keys)
