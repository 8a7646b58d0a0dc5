# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest

from ansible_collections.mmops.mattermost.plugins.module_utils._marketplace import LabelPolicy, describe, select


def entry(plugin_id, version, name=None, minimum=None, labels=(), description='', **fields):
    manifest = dict(id=plugin_id, version=version, name=name or plugin_id, description=description)
    if minimum:
        manifest['min_server_version'] = minimum
    return dict(manifest=manifest, labels=[dict(name=label) for label in labels], **fields)


NOTES = [
    entry('notes', '1.0.0', 'Notes', '8.0.0', ['Community']),
    entry('notes', '2.0.0', 'Notes', '10.0.0', ['Experimental']),
    entry('notes', '1.1.0', 'Notes', '9.5.0', ['Partner', 'Beta']),
]
CATALOG = NOTES + [entry('alpha', '0.1.0', 'Alpha board', description='keeps notes too')]


@pytest.mark.parametrize(
    'kwargs,expected',
    [
        (dict(), [('alpha', '0.1.0'), ('notes', '2.0.0')]),
        (dict(server_version='9.11.0'), [('alpha', '0.1.0'), ('notes', '1.1.0')]),
        (dict(server_version='9.11.0', all_releases=True), [('alpha', '0.1.0'), ('notes', '1.1.0'), ('notes', '1.0.0')]),
        (dict(plugin_id='notes', all_releases=True), [('notes', '2.0.0'), ('notes', '1.1.0'), ('notes', '1.0.0')]),
        (dict(text=' notes '), [('alpha', '0.1.0'), ('notes', '2.0.0')]),
        (dict(text='board'), [('alpha', '0.1.0')]),
    ],
)
def test_select_repeats_the_marketplace_filtering_for_static_answers(kwargs, expected):
    assert [(e['manifest']['id'], e['manifest']['version']) for e in select(CATALOG, **kwargs)] == expected


@pytest.mark.parametrize(
    'allowed,forbidden,labels,refusal',
    [
        (None, ['beta'], ['Partner', 'Beta'], 'it carries the label Beta, which forbidden_labels forbids'),
        (None, ['Beta'], ['Community'], None),
        (['Partner', 'Beta'], None, ['Partner', 'Beta'], None),
        (['Community'], None, ['Partner'], 'it carries the label Partner, which allowed_labels (Community) does not allow'),
        ([], None, [], None),
        ([], None, ['Beta'], 'it carries the label Beta, which allowed_labels (empty) does not allow'),
    ],
)
def test_label_policy(allowed, forbidden, labels, refusal):
    assert LabelPolicy(allowed, forbidden).refusal(entry('x', '1.0.0', labels=labels)) == refusal


def test_an_empty_policy_is_no_policy_and_contradictions_are_found():
    assert not LabelPolicy(None, [])
    assert LabelPolicy([], None)
    assert LabelPolicy(['Beta', 'Partner'], ['partner']).contradiction() == 'partner'


def test_describe_gives_update_available_against_the_installed_version():
    view = describe(entry('notes', '1.1.0', labels=['Beta'], signature='c2ln', enterprise=False), installed_version='1.0.0')
    assert (view['labels'], view['signed'], view['update_available'], view['release_stage']) == (['Beta'], True, True, None)
    assert describe(entry('notes', '1.0.0'), installed_version='1.0.0')['update_available'] is False
    assert describe(entry('notes', '1.0.0'))['update_available'] is False
