# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The routing from desired state to install route: every branch of PluginReconciler's install planning.

Planning only reads, so a stand-in for the HTTP layer (what the server and the Marketplace answer) is enough;
the view, the reconciler and the Marketplace helpers run as they do in the modules.
"""

import io
import json
import re
import tarfile

import pytest

from ansible_collections.mmops.mattermost.plugins.module_utils._errors import PluginError
from ansible_collections.mmops.mattermost.plugins.module_utils._plugin import PLUGIN_ARGSPEC, PluginReconciler, PluginSpec
from ansible_collections.mmops.mattermost.plugins.module_utils._server import ServerView

PLUGIN = 'com.example.notes'
MARKETPLACE = 'https://market.example.com'


def release(version, download_url=None, min_server_version=None, labels=()):
    return {
        'manifest': {'id': PLUGIN, 'version': version, 'min_server_version': min_server_version},
        'download_url': download_url or 'https://market.example.com/notes-%s.tar.gz' % version,
        'labels': [{'name': name} for name in labels],
    }


class Answers:
    """What the server and the Marketplace answer; any download is a failure, since planning a pin must not fetch."""

    base_url = 'https://chat.example.com'
    server_version = '9.11.0'

    def __init__(self, installed=None, listing=(), releases=(), **settings):
        self.settings = dict(Enable=True, EnableMarketplace=True, MarketplaceURL=MARKETPLACE, PluginStates={})
        self.settings.update(settings)
        self.statuses = [{'plugin_id': PLUGIN, 'cluster_id': 'a', 'state': 2, 'version': installed}] if installed else []
        # None: the listing must not be read at all.
        self.listing = listing
        self.releases = list(releases)
        self.marketplace_queries = []

    def get_config(self):
        return {'PluginSettings': self.settings, 'FileSettings': {'MaxFileSize': 1 << 20}}

    def get_plugin_statuses(self):
        return self.statuses

    def get_marketplace(self):
        assert self.listing is not None, "planning read the server's Marketplace listing"
        return self.listing

    def get_json(self, url, params=None):
        self.marketplace_queries.append((url, params))
        return self.releases

    def download(self, url, destination):
        raise AssertionError('planning downloaded %s' % url)


def plan_install(answers, tmp_path=None, **params):
    values = dict((name, option.get('default')) for name, option in PLUGIN_ARGSPEC.items())
    values.update(id=PLUGIN)
    values.update(params)
    view = ServerView(answers)
    reconciler = PluginReconciler(view, check_mode=True, tmpdir=str(tmp_path) if tmp_path else None)
    spec = PluginSpec(values)
    return reconciler.plan(spec).install


def bundle(tmp_path, version, plugin_id=PLUGIN):
    path = tmp_path / ('%s-%s.tar.gz' % (plugin_id, version))
    data = json.dumps({'id': plugin_id, 'version': version, 'server': {'executable': 'server/plugin'}}).encode()
    with tarfile.open(str(path), 'w:gz') as archive:
        info = tarfile.TarInfo('%s/plugin.json' % plugin_id)
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return str(path)


def refused(answers, message, tmp_path=None, **params):
    with pytest.raises(PluginError, match=re.escape(message)):
        plan_install(answers, tmp_path, **params)


# source=marketplace, no version: the server's own Marketplace install of its newest compatible release.


def test_marketplace_off_is_refused_before_the_listing_is_read():
    refused(Answers(EnableMarketplace=False, listing=None), 'PluginSettings.EnableMarketplace is false')


def test_present_and_installed_needs_nothing_and_reads_no_listing():
    assert plan_install(Answers(installed='1.0.0', listing=None)) is None


def test_absent_plugin_installs_the_listed_release_from_the_marketplace():
    step = plan_install(Answers(listing=[release('2.0.0')]))
    assert (step.route, step.version, step.location, step.force) == ('marketplace', '2.0.0', None, False)
    assert step.manifest['version'] == '2.0.0'
    assert step.description == 'install %s 2.0.0 from the Marketplace' % PLUGIN


def test_unlisted_plugin_is_refused_naming_the_server():
    refused(Answers(listing=[]), '%s is not in the Marketplace of https://chat.example.com (for Mattermost 9.11.0)' % PLUGIN)


def test_unlisted_plugin_with_remote_marketplace_off_says_only_prepackaged_are_offered():
    refused(Answers(listing=[], EnableRemoteMarketplace=False), 'only prepackaged plugins are offered')


def test_latest_already_installed_needs_nothing():
    assert plan_install(Answers(installed='2.0.0', listing=[release('2.0.0+build.1')]), state='latest') is None


def test_latest_behind_the_listing_upgrades_from_the_marketplace():
    step = plan_install(Answers(installed='1.0.0', listing=[release('2.0.0')]), state='latest')
    assert (step.route, step.version) == ('marketplace', '2.0.0')


def test_force_reinstalls_a_present_plugin_from_the_marketplace():
    step = plan_install(Answers(installed='2.0.0', listing=[release('2.0.0')]), force=True)
    assert (step.route, step.version) == ('marketplace', '2.0.0')


def test_listed_release_the_server_cannot_run_is_refused():
    refused(Answers(listing=[release('2.0.0', min_server_version='10.0.0')]), 'needs Mattermost 10.0.0 or newer')


def test_listed_release_the_label_policy_refuses_is_refused_naming_acceptable_releases():
    answers = Answers(listing=[release('2.0.0', labels=['Beta'])], releases=[release('2.0.0', labels=['Beta']), release('1.0.0')])
    refused(
        answers,
        'label Beta, which forbidden_labels forbids; nothing was changed. Releases for Mattermost 9.11.0 the policy accepts: 1.0.0 (hold one with version)',
        forbidden_labels=['beta'],
    )


# source=marketplace with version: the pin (_marketplace_pin).


def test_pin_already_installed_needs_nothing_and_reads_no_listing():
    assert plan_install(Answers(installed='1.0.0+build.2', listing=None), version='1.0.0') is None


def test_pin_the_server_lists_installs_from_the_marketplace():
    answers = Answers(installed='1.0.0', listing=[release('2.0.0')])
    step = plan_install(answers, version='2.0.0')
    assert (step.route, step.version, step.location) == ('marketplace', '2.0.0', None)
    assert answers.marketplace_queries == []


def test_forced_pin_reinstalls_the_same_version():
    step = plan_install(Answers(installed='2.0.0', listing=[release('2.0.0')]), version='2.0.0', force=True)
    assert (step.route, step.version) == ('marketplace', '2.0.0')


def test_pin_of_an_older_release_installs_from_its_download_url():
    answers = Answers(installed='2.0.0', listing=[release('2.0.0')], releases=[release('2.0.0'), release('1.0.0')], EnableUploads=True)
    step = plan_install(answers, version='1.0.0')
    assert (step.route, step.version, step.force) == ('download_url', '1.0.0', True)
    assert step.location == 'https://market.example.com/notes-1.0.0.tar.gz'
    assert step.manifest['version'] == '1.0.0'
    # The Marketplace service is asked for every release of this plugin, whatever the server version.
    assert answers.marketplace_queries == [
        (MARKETPLACE + '/api/v1/plugins', {'per_page': -1, 'enterprise_plugins': 'true', 'return_all_versions': 'true', 'plugin_id': PLUGIN})
    ]


def test_pin_of_a_plugin_not_installed_is_not_forced():
    answers = Answers(listing=[release('2.0.0')], releases=[release('1.0.0')], EnableUploads=True)
    assert plan_install(answers, version='1.0.0').force is False


def test_pin_unknown_to_the_marketplace_is_refused_listing_its_versions():
    answers = Answers(listing=[release('2.0.0')], releases=[release('2.0.0'), release('1.5.0')], EnableUploads=True)
    refused(answers, '%s 1.0.0 is not in the Marketplace at %s (versions listed: 2.0.0, 1.5.0)' % (PLUGIN, MARKETPLACE), version='1.0.0')


def test_pin_of_a_plugin_the_marketplace_does_not_know_is_refused_listing_none():
    answers = Answers(listing=[], releases=[], MarketplaceURL=None)
    refused(answers, '%s 1.0.0 is not in the Marketplace at https://api.integrations.mattermost.com (versions listed: none)' % PLUGIN, version='1.0.0')


def test_pin_with_uploads_off_is_refused_naming_the_newest_version():
    answers = Answers(listing=[release('2.0.0')], releases=[release('1.0.0')])
    refused(
        answers,
        "Holding %s at exactly 1.0.0 (the server's Marketplace install always takes the newest compatible "
        'version, 2.0.0, so the pin is installed from its download URL) needs custom plugin uploads' % PLUGIN,
        version='1.0.0',
    )


def test_pin_of_a_plugin_the_server_does_not_list_names_no_newest_version():
    answers = Answers(listing=[], releases=[release('1.0.0')])
    refused(answers, 'compatible version, none, so', version='1.0.0')


def test_pin_with_signatures_required_is_refused():
    answers = Answers(listing=[release('2.0.0')], releases=[release('1.0.0')], EnableUploads=True, RequirePluginSignature=True)
    refused(answers, 'PluginSettings.RequirePluginSignature is true', version='1.0.0')


def test_pin_with_a_plain_http_download_url_is_refused():
    answers = Answers(listing=[], releases=[release('1.0.0', download_url='http://market.example.com/notes.tar.gz')], EnableUploads=True)
    refused(answers, 'http://market.example.com/notes.tar.gz is plain http', version='1.0.0')


def test_pin_with_a_plain_http_download_url_is_allowed_when_the_server_allows_it():
    answers = Answers(
        listing=[], releases=[release('1.0.0', download_url='http://market.example.com/notes.tar.gz')], EnableUploads=True, AllowInsecureDownloadURL=True
    )
    assert plan_install(answers, version='1.0.0').location == 'http://market.example.com/notes.tar.gz'


def test_pin_of_a_release_the_server_cannot_run_is_refused():
    answers = Answers(listing=[], releases=[release('1.0.0', min_server_version='10.0.0')], EnableUploads=True)
    refused(answers, '%s 1.0.0 needs Mattermost 10.0.0 or newer' % PLUGIN, version='1.0.0')


# source=url and source=file: the bundle is uploaded.


def test_url_pin_already_installed_needs_no_download():
    assert plan_install(Answers(installed='1.0.0'), source='url', src='https://b.example.com/n.tar.gz', version='1.0.0') is None


def test_url_without_uploads_is_refused_before_any_download():
    refused(Answers(), 'installing from a URL needs custom plugin uploads', source='url', src='https://b.example.com/n.tar.gz')


def test_file_without_uploads_is_refused():
    refused(Answers(), 'uploading a bundle needs custom plugin uploads', source='file', src='/nowhere.tar.gz')


def test_file_with_signatures_required_is_refused():
    refused(
        Answers(EnableUploads=True, RequirePluginSignature=True),
        'uploading a bundle is refused by https://chat.example.com',
        source='file',
        src='/nowhere.tar.gz',
    )


def test_file_bundle_of_the_installed_version_needs_nothing(tmp_path):
    assert plan_install(Answers(installed='1.0.0', EnableUploads=True), tmp_path, source='file', src=bundle(tmp_path, '1.0.0')) is None


def test_file_bundle_of_a_new_plugin_is_uploaded(tmp_path):
    path = bundle(tmp_path, '1.0.0')
    step = plan_install(Answers(EnableUploads=True), tmp_path, source='file', src=path)
    assert (step.route, step.version, step.location, step.force) == ('upload', '1.0.0', path, False)
    assert step.description == 'upload %s 1.0.0 from %s' % (PLUGIN, path)


def test_file_bundle_of_another_version_replaces_the_installed_one(tmp_path):
    step = plan_install(Answers(installed='1.0.0', EnableUploads=True), tmp_path, source='file', src=bundle(tmp_path, '2.0.0'))
    assert (step.route, step.version, step.force) == ('upload', '2.0.0', True)


def test_forced_file_bundle_of_the_installed_version_is_uploaded_again(tmp_path):
    step = plan_install(Answers(installed='1.0.0', EnableUploads=True), tmp_path, source='file', src=bundle(tmp_path, '1.0.0'), force=True)
    assert (step.route, step.version, step.force) == ('upload', '1.0.0', True)


def test_file_bundle_of_another_plugin_is_refused(tmp_path):
    refused(
        Answers(EnableUploads=True),
        'holds plugin com.example.other, not %s' % PLUGIN,
        tmp_path,
        source='file',
        src=bundle(tmp_path, '1.0.0', plugin_id='com.example.other'),
    )
