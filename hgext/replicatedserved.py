# replicatedserved: a Mercurial repo view that exposes only changesets every
# mirror has (hgcluster). The heads consumer writes .hg/replicated-data
# (canonical CBOR: {b"heads": [20-byte nodes], b"last_push_id": int|null})
# once an event is applied everywhere; this view hides what the standard
# "served" view hides plus every changeset not reachable from those heads.
#
# Enable on a mirror with:
#   [extensions]
#   replicatedserved = /path/to/replicatedserved.py
#   [web]
#   view = replicatedserved      (hgweb pages)
#   [server]
#   view = replicatedserved      (wire protocol over http and ssh)
#
# Without the file (or with an empty one) it behaves exactly like "served".
# Everything else hgcluster does lives in C++; this is the one hook hg only
# offers in-process.
import os

from mercurial import error, extensions, hg, registrar, repoview, scmutil
from mercurial.node import hex
from mercurial.utils import cborutil

testedwith = b'6.3'

configtable = {}
configitem = registrar.configitem(configtable)
# hgweb lists (and serves) repositories reached through symbolic links below
# its root only when this is set (hgcluster web's [web] allow_symlinks).
configitem(b'hgcluster', b'allowsymlinks', default=False)

_FILE = b'replicated-data'


def _replicatedheads(repo):
    """Revisions of the replicated heads, or None when there is no file."""
    try:
        data = repo.vfs.read(_FILE)
    except (IOError, OSError):
        return None
    if not data:
        return None
    try:
        decoded = cborutil.decodeall(data)
    except Exception as e:
        raise error.Abort(b'malformed CBOR data: %s' % str(e).encode('utf-8'))
    if len(decoded) != 1 or not isinstance(decoded[0], dict):
        raise error.Abort(b'malformed CBOR data: expected one map')
    cl = repo.unfiltered().changelog
    revs = set()
    for node in decoded[0].get(b'heads', []):
        try:
            revs.add(cl.rev(node))
        except error.LookupError:
            repo.ui.log(b'vcsreplicator',
                        b'node in replicated data file does not exist: %s\n' % hex(node))
    return revs


def computereplicatedhidden(repo, visibilityexceptions=None):
    hidden = repoview.filterrevs(repo, b'served')
    heads = _replicatedheads(repo)
    if heads is None:
        return hidden
    cl = repo.unfiltered().changelog
    if set(cl.headrevs()) == heads:
        return hidden
    exposed = set(cl.ancestors(heads, inclusive=True))
    notreplicated = set(r for r in cl.revs() if r not in exposed)
    return frozenset(hidden | notreplicated)


repoview.filtertable[b'replicatedserved'] = computereplicatedhidden

# hgweb reloads a cached repo when one of these files changes.
if (b'path', _FILE) not in hg.foi:
    hg.foi.append((b'path', _FILE))


_followsymlinks = [False]


def _walkrepos(orig, path, followsym=False, seen_dirs=None, recurse=False):
    """hgwebdir's repository walk without symbolic links (unless allowed)
    and without hgcluster's staging directories: a repository being deleted
    (.hgcluster-deleting-*) or re-cloned (*.hgcluster-reclone)."""
    follow = followsym and _followsymlinks[0]
    for root in orig(path, followsym=follow, seen_dirs=seen_dirs, recurse=recurse):
        rel = os.path.relpath(root, path)
        segments = [s for s in rel.split(os.sep.encode()) if s not in (b'', b'.')]
        if any(s.startswith(b'.') or s.endswith(b'.hgcluster-reclone') for s in segments):
            continue
        yield root


def uisetup(ui):
    _followsymlinks[0] = ui.configbool(b'hgcluster', b'allowsymlinks')
    extensions.wrapfunction(scmutil, 'walkrepos', _walkrepos)
