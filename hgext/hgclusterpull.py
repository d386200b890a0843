# hgclusterpull: warm connections from a mirror's command servers to the
# leader (hgcluster).
#
# A mirror consumer applies each push with `hg pull -r HEADS URL` in a
# long-lived hg command server per repository (src/hg/cmdserver.h). Over SSH
# each such pull would otherwise pay an SSH handshake, a login on the leader
# and a Python start of `hg serve --stdio` there; over HTTP(S), a new
# connection. With this extension loaded in the command servers, `hg pull`
# keeps its peer (the SSH session and the remote hg, or the HTTP connection)
# open after the command and the next pull of the same URL in the same server
# reuses it. The leader must answer each command from fresh repository state:
# it loads hgext/hgclusterserve.py.
#
# A kept peer is closed after `[hgclusterpull] idle` seconds without a pull
# (default 300) and when the server exits. A pull on a kept peer that fails
# in any way (the leader restarted, the session was cut, an answer from a
# stale leader) closes that peer, whose stream may hold unread data, and runs
# the pull once more on a new one; the failed attempt's transaction was
# rolled back by hg, so nothing is applied twice. A pull on a new peer that
# fails fails as without this extension.
#
# Only `hg pull` of ssh://, http:// and https:// URLs is affected: clones,
# pushes and local paths open their peers as usual.
#
# Enable in the hgrc of the mirror consumer's hg ([consumer] hgrcpath):
#   [extensions]
#   hgclusterpull = /path/to/hgclusterpull.py
import threading
import time

from mercurial import commands, extensions, hg
from mercurial.utils import urlutil

testedwith = b'6.3'

_SCHEMES = (b'ssh', b'http', b'https')

# key -> [peer, close function, time of last use]
_kept = {}
_lock = threading.Lock()
# The pull command running now (one at a time in a command server): the key
# of the kept peer it reused, if any.
_current = threading.local()
_reaper = []


def _key(ui, path):
    return (path, ui.config(b'ui', b'ssh'), ui.config(b'ui', b'remotecmd'))


def _retarget(peer, ui):
    """Points a kept peer's output (remote: lines, debug) at this command's ui."""
    peer.ui = ui
    for pipe in (getattr(peer, '_pipeo', None), getattr(peer, '_pipei', None)):
        if pipe is not None and hasattr(pipe, '_ui'):
            pipe._ui = ui


class _Silent(object):
    """A ui that says nothing: the reaper thread closes peers between
    commands, when the command server's channels belong to nobody."""

    debugflag = False

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


def _close(entry, quiet=False):
    if quiet:
        _retarget(entry[0], _Silent())
    try:
        entry[1]()
    except Exception:
        pass


def _drop(key):
    with _lock:
        entry = _kept.pop(key, None)
    if entry is not None:
        _close(entry)


def _reap(idle):
    while True:
        time.sleep(min(idle, 30.0))
        now = time.monotonic()
        with _lock:
            stale = [k for k, e in _kept.items() if now - e[2] > idle and k != _busy[0]]
            entries = [_kept.pop(k) for k in stale]
        for entry in entries:
            _close(entry, quiet=True)


# The key of the peer a pull is using right now (the reaper leaves it alone).
_busy = [None]


def _peer(orig, uiorrepo, opts, path, *args, **kwargs):
    state = getattr(_current, 'state', None)
    if state is None or args or kwargs or not isinstance(path, bytes):
        return orig(uiorrepo, opts, path, *args, **kwargs)
    if urlutil.url(path).scheme not in _SCHEMES:
        return orig(uiorrepo, opts, path)
    ui = hg.remoteui(uiorrepo, opts)
    key = _key(ui, path)
    with _lock:
        entry = _kept.get(key)
        if entry is not None:
            entry[2] = time.monotonic()
            _busy[0] = key
    if entry is not None:
        _retarget(entry[0], ui)
        state['reused'] = key
        return entry[0]
    peer = orig(uiorrepo, opts, path)
    close = peer.close
    # commands.pull closes its peer when done: keep this one open instead.
    peer.close = lambda: None
    with _lock:
        _kept[key] = [peer, close, time.monotonic()]
        _busy[0] = key
    state['fresh'] = key
    return peer


def _pull(orig, ui, repo, *sources, **opts):
    if not _reaper:
        idle = float(ui.config(b'hgclusterpull', b'idle') or 300)
        t = threading.Thread(target=_reap, args=(idle,), name='hgclusterpull-reaper')
        t.daemon = True
        t.start()
        _reaper.append(t)
    for attempt in (1, 2):
        state = {}
        _current.state = state
        try:
            return orig(ui, repo, *sources, **opts)
        except BaseException as e:
            # The peer's stream may hold the rest of an answer: never reuse it.
            for k in (state.get('reused'), state.get('fresh')):
                if k is not None:
                    _drop(k)
            retry = (
                isinstance(e, Exception)
                and attempt == 1
                and state.get('reused') is not None
                and state.get('fresh') is None
            )
            if not retry:
                raise
            ui.warn(b'a kept connection to the leader failed; pulling on a new one\n')
        finally:
            _current.state = None
            _busy[0] = None


def extsetup(ui):
    extensions.wrapfunction(hg, 'peer', _peer)
    extensions.wrapcommand(commands.table, b'pull', _pull)
