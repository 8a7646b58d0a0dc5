# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""playbooks/report.yml: plugin versions x servers, with updates and labels, in Markdown and HTML."""

import os
from html.parser import HTMLParser
from support.playbooks import fleet_inventory, REPO, run_playbook


class Cells(HTMLParser):
    """The text of every table cell, row by row."""

    def __init__(self):
        HTMLParser.__init__(self)
        self.rows, self._cell = [], None

    def handle_starttag(self, tag, attrs):
        if tag == 'tr':
            self.rows.append([])
        elif tag in ('td', 'th'):
            self._cell = ''

    def handle_endtag(self, tag):
        if tag in ('td', 'th') and self._cell is not None:
            self.rows[-1].append(self._cell)
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def test_report_of_a_fleet(fleet, tmp_path):
    fleet[0].reset(
        server_version='9.11.0',
        installed=[{'id': 'com.example.notes', 'version': '1.0.0', 'enabled': True}, {'id': 'jira', 'version': '3.0.1', 'enabled': False}],
    )
    fleet[1].reset(server_version='10.2.0', installed=[{'id': 'com.example.notes', 'version': '2.0.0', 'enabled': True}])
    fleet[2].reset(server_version='9.11.0', nodes=2, installed=[{'id': 'com.example.broken', 'version': '1.0.0', 'enabled': True}])
    inventory = fleet_inventory(tmp_path / 'inventory.json', fleet, down={'mattermost_url': 'http://127.0.0.1:9', 'mattermost_token': 'x'})
    report_dir = tmp_path / 'report'
    run = run_playbook(os.path.join(REPO, 'playbooks', 'report.yml'), {'mattermost_report_dir': str(report_dir)}, inventory=inventory)
    assert run.rc == 0, run.output
    markdown = (report_dir / 'fleet-report.md').read_text()
    assert '| com.example.notes | 1.0.0 → 1.1.0 [Partner, Beta] | 2.0.0 | - | unreadable |' in markdown, markdown
    assert '| jira | 3.0.1 (disabled) | - | - | unreadable |' in markdown, markdown
    assert '| com.example.broken | - | - | 1.0.0 (not running on every node) | unreadable |' in markdown, markdown
    assert 'server1 (10.2.0)' in markdown and '- down: ' in markdown and 'cannot reach http://127.0.0.1:9' in markdown
    parser = Cells()
    parser.feed((report_dir / 'fleet-report.html').read_text())
    assert parser.rows[0][1:] == ['server09.11.0', 'server110.2.0', 'server29.11.0', 'down?']
    assert ['com.example.notes', '1.0.0 → 1.1.0 [Partner, Beta]', '2.0.0', '-', 'unreadable'] in parser.rows
    for server in fleet:
        assert server.writes() == []


def chromium(*args):
    """Headless Chromium (Debian's package) with no network of its own: what it shows comes from the file alone."""
    import shutil
    import subprocess
    import tempfile

    binary = shutil.which('chromium')
    assert binary, 'chromium is not installed (scripts/ensure-test-packages.sh installs it as root)'
    profile = tempfile.mkdtemp(prefix='mmops-chromium-')
    try:
        return subprocess.run(
            [
                binary,
                '--headless',
                '--no-sandbox',
                '--disable-gpu',
                '--disable-quic',
                '--no-first-run',
                '--disable-background-networking',
                '--disable-component-update',
                '--disable-sync',
                '--user-data-dir=%s' % profile,
            ]
            + list(args),
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def test_the_html_report_renders_its_version_table_in_a_browser(fleet, tmp_path):
    fleet[0].reset(installed=[{'id': 'com.example.notes', 'version': '1.0.0', 'enabled': True}])
    fleet[1].reset(installed=[{'id': 'com.example.notes', 'version': '1.1.0', 'enabled': True}])
    inventory = fleet_inventory(tmp_path / 'inventory.json', fleet[:2])
    report_dir = tmp_path / 'report'
    run = run_playbook(os.path.join(REPO, 'playbooks', 'report.yml'), {'mattermost_report_dir': str(report_dir)}, inventory=inventory)
    assert run.rc == 0, run.output
    page = 'file://%s' % (report_dir / 'fleet-report.html')
    parser = Cells()
    parser.feed(chromium('--dump-dom', page).stdout)
    assert parser.rows and parser.rows[0][1:3] == ['server09.11.0', 'server19.11.0'], parser.rows
    assert ['com.example.notes', '1.0.0 → 1.1.0 [Partner, Beta]', '1.1.0'] == parser.rows[1][:3], parser.rows
    screenshot = os.path.join(REPO, '.build', 'report-screenshot.png')
    os.makedirs(os.path.dirname(screenshot), exist_ok=True)
    if os.path.exists(screenshot):
        os.remove(screenshot)
    chromium('--window-size=1200,800', '--screenshot=%s' % screenshot, page)
    with open(screenshot, 'rb') as handle:
        assert handle.read(8) == b'\x89PNG\r\n\x1a\n'
    assert os.path.getsize(screenshot) > 10000
