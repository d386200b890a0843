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
from mercurial import error, hg, repoview
from mercurial.node import hex
from mercurial.utils import cborutil

testedwith = b'6.3'

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
