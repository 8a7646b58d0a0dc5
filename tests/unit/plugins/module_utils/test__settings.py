# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest

from ansible_collections.mmops.mattermost.plugins.module_utils._plugin_settings import canonical_request, check_settings
from ansible_collections.mmops.mattermost.plugins.module_utils._errors import SettingsError
from ansible_collections.mmops.mattermost.plugins.module_utils._plugin_config import FAKE_SETTING, PluginConfigPlan, SettingsSchema, show_only_secrets
from ansible_collections.mmops.mattermost.plugins.module_utils._setting_gates import same_value

MANIFEST = {
    'id': 'demo',
    'settings_schema': {
        'settings': [
            {'key': 'Name', 'type': 'text'},
            {'key': 'Count', 'type': 'number'},
            {'key': 'On', 'type': 'bool'},
            {'key': 'Token', 'type': 'text', 'secret': True},
            {'key': 'Layout', 'type': 'custom'},
        ],
        'sections': [
            {
                'key': 'More',
                'settings': [{'key': 'Mode', 'type': 'radio', 'options': [{'display_name': 'A', 'value': 'a'}, {'display_name': 'B', 'value': 'b'}]}],
            }
        ],
    },
}


def plan(current, desired, **kwargs):
    return PluginConfigPlan(SettingsSchema('demo', MANIFEST), current, desired, **kwargs)


def test_true_is_not_one():
    assert not same_value(True, 1) and same_value(1, 1.0) and same_value('a', 'a')


def test_keys_compare_case_insensitively_and_a_stored_spelling_is_kept():
    unchanged = plan({'Name': 'x', 'count': 2}, {'name': 'x', 'COUNT': 2})
    assert not unchanged.changed and unchanged.entry == {'Name': 'x', 'count': 2}
    changed = plan({'Name': 'x'}, {'NAME': 'y'})
    assert changed.changed and changed.entry == {'name': 'y'}


def test_section_settings_are_checked_too():
    assert plan({}, {'mode': 'b'}).entry == {'mode': 'b'}
    with pytest.raises(SettingsError, match="'Mode' \\(radio\\) takes one of 'a', 'b'"):
        plan({}, {'Mode': 'c'})


def test_custom_settings_take_any_value():
    assert plan({}, {'Layout': {'rows': [1, 2]}}).entry == {'layout': {'rows': [1, 2]}}


def test_purge_drops_unlisted_keys_and_merge_keeps_them():
    assert plan({'name': 'x', 'count': 1}, {'name': 'x'}, purge=True).removed == ['count']
    assert plan({'name': 'x', 'count': 1}, {'name': 'x'}).changed is False
    assert plan({}, {}, purge=True).changed is False


def test_a_stored_secret_is_kept_masked_on_create_and_sent_with_always():
    kept = plan({'token': FAKE_SETTING, 'name': 'x'}, {'Token': 's3cret', 'Name': 'y'})
    assert kept.entry == {'token': FAKE_SETTING, 'name': 'y'} and kept.secrets_sent == []
    assert kept.before == {'token': '<secret>', 'name': 'x'} and kept.after == {'token': '<secret>', 'name': 'y'}
    rotated = plan({'token': FAKE_SETTING}, {'Token': 's3cret'}, update_secrets='always')
    assert rotated.changed and rotated.entry == {'token': 's3cret'} and rotated.after == {'token': '<secret: new value sent>'}
    # An empty stored secret is "not set": on_create sends it.
    assert plan({'token': ''}, {'Token': 's3cret'}).entry == {'token': 's3cret'}


def test_only_secret_values_stay_hidden():
    hidden = {'s3cret', 'x', '5', 'mistyped'}
    show_only_secrets(hidden, SettingsSchema('demo', MANIFEST), {'Token': 's3cret', 'Name': 'x', 'Count': 5, 'Tokn': 'mistyped'})
    assert hidden == {'s3cret', 'mistyped'}


def test_a_manifest_without_settings_takes_none():
    with pytest.raises(SettingsError, match='declares no settings'):
        PluginConfigPlan(SettingsSchema('bare', {}), {}, {'Anything': 1})


def test_server_setting_names_are_canonical_and_protected_ones_refused():
    assert canonical_request({'enablemarketplace': True}) == {'EnableMarketplace': True}
    with pytest.raises(SettingsError, match='plugin_uploads role'):
        canonical_request({'enableuploads': False})
    with pytest.raises(SettingsError, match='given twice'):
        canonical_request({'Enable': True, 'enable': True})


def test_combinations_are_judged_only_when_the_request_touches_them():
    risky = {'EnableUploads': True, 'RequirePluginSignature': True, 'EnableMarketplace': True, 'EnableRemoteMarketplace': True}
    check_settings(risky, {'EnableHealthCheck': False})
    with pytest.raises(SettingsError, match='Turn uploads off first'):
        check_settings(dict(risky, RequirePluginSignature=False), {'RequirePluginSignature': True})
    check_settings({'EnableMarketplace': False}, {'MarketplaceURL': 'https://m.example.com', 'EnableMarketplace': True, 'EnableRemoteMarketplace': True})


def test_a_secret_the_server_shows_unmasked_is_compared_without_being_shown():
    same = plan({'token': 's3cret'}, {'Token': 's3cret'})
    assert not same.changed and same.before == {'token': '<secret>'}
    other = plan({'token': 'old'}, {'Token': 's3cret'})
    assert other.changed and other.entry == {'token': 's3cret'} and other.after == {'token': '<secret: new value sent>'}
