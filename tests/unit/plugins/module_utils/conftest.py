# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures shared by the module_utils unit tests."""

import json

import pytest
from ansible.module_utils import basic
from ansible.module_utils.basic import AnsibleModule

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core before 2.19 reads the arguments from basic._ANSIBLE_ARGS
    patch_module_args = None


@pytest.fixture
def bare_module(monkeypatch):
    """An AnsibleModule without options, on every ansible-core the collection supports (2.16 to 2.19)."""
    if patch_module_args is not None:
        with patch_module_args({}):
            return AnsibleModule(argument_spec={})
    monkeypatch.setattr(basic, '_ANSIBLE_ARGS', json.dumps({'ANSIBLE_MODULE_ARGS': {}}).encode())
    return AnsibleModule(argument_spec={})
