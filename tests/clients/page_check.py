#!/usr/bin/env python3
"""Loads web pages in headless Chromium, as a person's browser would, and
prints what each page shows as one JSON object per URL: its HTTP status, the
style sheets and whether they loaded, the images that did not, the body's computed font, the
links to Bugzilla, push rows and the page's text.

    page_check.py CHROMIUM URL...

Chromium is driven over the DevTools protocol on a pipe (fds 3 and 4,
--remote-debugging-pipe): no port is opened. Nothing leaves the machine:
every host name but 127.0.0.1 resolves to nothing and any other traffic
goes to a proxy address where nothing listens. Test tooling of hgcluster's
end-to-end tests (tests/hgweb_theme_e2e_test.cc).
"""
import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

# What the page looks like, computed in the page once it has loaded.
PROBE = r"""JSON.stringify({
  status: performance.getEntriesByType('navigation')[0].responseStatus,
  title: document.title,
  sheets: [...document.styleSheets].map(s => s.href),
  sheets_loaded: [...document.styleSheets].every(s => {
    try { return s.cssRules.length > 0; } catch (e) { return false; }
  }),
  images: document.images.length,
  broken_images: [...document.images]
      .filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src),
  body_font: getComputedStyle(document.body).fontFamily,
  bug_links: document.querySelectorAll(
      'a[href^="https://bugzilla.mozilla.org/show_bug.cgi?id="]').length,
  push_rows: document.querySelectorAll('td.push, tr.pushlogentry').length,
  text: document.body.innerText.slice(0, 4000),
})"""


class Browser:
    def __init__(self, chromium):
        self.profile = tempfile.mkdtemp(prefix='hgcluster-chromium-')
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()

        def fds():
            # Chromium reads fd 3 and writes fd 4. Copies above 10 first, so
            # that a pipe end already at 3 or 4 is not overwritten.
            a = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 10)
            b = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 10)
            os.dup2(a, 3, inheritable=True)
            os.dup2(b, 4, inheritable=True)

        self.proc = subprocess.Popen(
            [
                chromium,
                '--headless=new',
                '--no-sandbox',
                '--disable-gpu',
                '--remote-debugging-pipe',
                '--user-data-dir=' + self.profile,
                '--no-first-run',
                '--no-default-browser-check',
                '--disable-background-networking',
                '--disable-component-update',
                '--disable-domain-reliability',
                '--disable-sync',
                '--disable-extensions',
                '--disable-client-side-phishing-detection',
                '--no-pings',
                '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
                '--proxy-server=127.0.0.1:9',
                '--proxy-bypass-list=127.0.0.1',
                'about:blank',
            ],
            preexec_fn=fds,
            pass_fds=(3, 4),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=None if os.environ.get('PAGE_CHECK_DEBUG') else subprocess.DEVNULL,
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buffer = b''
        self.next_id = 0
        self.events = []

    def close(self):
        self.proc.kill()
        self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)

    def _read(self, deadline):
        while b'\0' not in self.buffer:
            if time.monotonic() > deadline:
                raise TimeoutError('chromium did not answer in time')
            chunk = os.read(self.from_chrome, 1 << 16)
            if not chunk:
                raise EOFError('chromium closed its pipe')
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b'\0', 1)
        return json.loads(message)

    def send(self, method, params=None, session=None, timeout=30):
        self.next_id += 1
        message = {'id': self.next_id, 'method': method, 'params': params or {}}
        if session:
            message['sessionId'] = session
        os.write(self.to_chrome, json.dumps(message).encode() + b'\0')
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read(deadline)
            if reply.get('id') == self.next_id:
                if 'error' in reply:
                    raise RuntimeError('%s: %s' % (method, reply['error']))
                return reply.get('result', {})
            self.events.append(reply)

    def wait_event(self, method, session, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            for i, event in enumerate(self.events):
                if event.get('method') == method and event.get('sessionId') == session:
                    del self.events[i]
                    return event
            self.events.append(self._read(deadline))

    def check(self, url):
        target = self.send('Target.createTarget', {'url': 'about:blank'})['targetId']
        session = self.send('Target.attachToTarget', {'targetId': target, 'flatten': True})[
            'sessionId'
        ]
        self.send('Page.enable', session=session)
        navigated = self.send('Page.navigate', {'url': url}, session=session)
        if navigated.get('errorText'):
            raise RuntimeError('%s: %s' % (url, navigated['errorText']))
        self.wait_event('Page.loadEventFired', session)
        result = self.send(
            'Runtime.evaluate', {'expression': PROBE, 'returnByValue': True}, session=session
        )
        self.send('Target.closeTarget', {'targetId': target})
        page = json.loads(result['result']['value'])
        page['url'] = url
        return page


def main():
    chromium, urls = sys.argv[1], sys.argv[2:]
    for url in urls:
        if not url.startswith('http://127.0.0.1:'):
            sys.exit('page_check: only http://127.0.0.1 pages: %s' % url)
    browser = Browser(chromium)
    try:
        for url in urls:
            print(json.dumps(browser.check(url)))
    finally:
        browser.close()


if __name__ == '__main__':
    main()
