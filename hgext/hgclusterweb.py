# hgclusterweb: what hg.mozilla.org adds to hgweb's changeset data, on a
# mirror's hg workers (hgcluster).
#
# Firefox tooling reads push data from hgweb's JSON pages: json-rev (also
# rev/X?style=json, json-changeset) gains pushid, pushdate, pushuser,
# children, backedoutby, landingsystem and git_commit; json-log,
# json-shortlog and json-filelog entries gain pushid and pushdate. The
# fields, their order and their values are hg.mozilla.org's. Every
# template gets pushid, pushuser, pushdate, pushnodes and pushhead for a
# changeset (pushlog), landingsystem and git_commit (changeset extras),
# and a changeset page backedoutbynode. The paper style's changeset page
# shows the push (linked to pushloghtml) and the backout below the date.
#
# The wire protocol gains hg.mozilla.org's `pushlog` and `pushlog-stream`
# commands (advertised in the capabilities), with which a client that has
# the pushlog extension fetches push data when it pulls: pushes from
# `firstpush` on, as "<id> <user> <date> <node> ...", up to the last push
# every mirror has (.hg/replicated-data), as json-pushes shows them.
#
# Push data comes from the repository's .hg/pushlog2.db, opened read-only
# per request (the consumer writes it). A changeset's backout is searched
# among its first [hgmo] backoutsearchlimit (100) descendants, as
# hg.mozilla.org does; the commit-message conventions are those of
# src/pushlog/commit_message.cc (json-automationrelevance), written as
# linear scanners here too: descriptions come from whoever pushes.
#
# Enable on a mirror's hg workers with (`hgcluster up` does):
#   [extensions]
#   hgclusterweb = /path/to/hgclusterweb.py
import os
import sqlite3

from mercurial import extensions, pycompat, templater, wireprototypes, wireprotov1server
from mercurial.hgweb import webutil
from mercurial.node import short
from mercurial.utils import cborutil, dateutil

testedwith = b'6.3'

# hg.mozilla.org's JSON for a changeset and a log entry (replacing those of
# hg's json style).
_CHANGESET = b'''\\{
  "node": {node|json},
  "date": {date|json},
  "desc": {desc|utf8|json},
  "backedoutby": {if(backedoutbynode, backedoutbynode|json, ""|json)},
  "branch": {if(branch, branch%changesetbranch, "default"|json)},
  "bookmarks": [{join(changesetbookmark, ", ")}],
  "tags": [{join(changesettag, ", ")}],
  "user": {author|utf8|json},
  "parents": [{join(parent%changesetparent, ", ")}],
  "children": [{join(child%changesetparent, ", ")}],
  "files": [{join(files, ", ")}],
  "diff": [{join(diff, ", ")}],
  "phase": {phase|json},
  "pushid": {pushid|json},
  "pushdate": {pushdate|json},
  "pushuser": {pushuser|json},
  "landingsystem": {if(landingsystem, landingsystem|json, "null")},
  "git_commit": {if(git_commit, git_commit|json, "null")}
  }'''

_CHANGELISTENTRY = b'''\\{
  "node": {node|json},
  "date": {date|json},
  "desc": {desc|utf8|json},
  "branch": {if(branch, branch%changesetbranch, "default"|json)},
  "bookmarks": [{join(bookmarks%changelistentryname, ", ")}],
  "tags": [{join(tags%changelistentryname, ", ")}],
  "user": {author|utf8|json},
  "phase": {phase|json},
  "parents": [{if(allparents, join(allparents%changesetparent, ", "),
                  join(parent%changesetparent, ", "))}],
  "pushid": {pushid|json},
  "pushdate": {pushdate|json}
  }'''


# Rows of the paper style's changeset page, after its date.
_PUSHROW = b'''<tr>
 <th class="push">push</th>
 <td class="push"><a href="{url|urlescape}pushloghtml?changeset={node|short}">push {pushid}</a> by {pushuser|escape} at <span class="pushdate">{pushdate|rfc822date}</span></td>
</tr>
'''
_BACKOUTROW = b'''<tr>
 <th class="backedoutby">backed out by</th>
 <td class="backedoutby"><a href="{url|urlescape}rev/{backedoutbynode|short}">{backedoutbynode|short}</a></td>
</tr>
'''
_PAPERANCHOR = b''' <td class="date age">{date|rfc822date}</td>
</tr>
'''


def _readmapfile(orig, fp, mapfile):
    cache, tmap, aliases = orig(fp, mapfile)
    path = mapfile.replace(b'\\', b'/')
    if path.endswith(b'/json/map') or path == b'json/map':
        cache[b'changeset'] = _CHANGESET
        cache[b'changelistentry'] = _CHANGELISTENTRY
    elif (path.endswith(b'/paper/map') or path == b'paper/map') and b'changeset' in tmap:
        try:
            with open(tmap[b'changeset'], 'rb') as f:
                page = f.read()
        except (IOError, OSError):
            return cache, tmap, aliases
        if _PAPERANCHOR in page:  # else hg's page as it is
            cache[b'hgclusterpushrow'] = _PUSHROW
            cache[b'hgclusterbackoutrow'] = _BACKOUTROW
            cache[b'changeset'] = page.replace(
                _PAPERANCHOR,
                _PAPERANCHOR
                + b'{if(pushid, hgclusterpushrow)}{if(backedoutbynode, hgclusterbackoutrow)}',
                1,
            )
    return cache, tmap, aliases


# --- Push data -------------------------------------------------------------


def _opendb(repo):
    """The pushlog, read-only, or None when the repository has none."""
    path = os.path.join(repo.root, b'.hg', b'pushlog2.db')
    if not os.path.exists(path):
        return None
    quoted = os.fsdecode(path).replace('%', '%25').replace('?', '%3f').replace('#', '%23')
    uri = 'file:%s?mode=ro' % quoted
    return sqlite3.connect(uri, uri=True, timeout=5)


def _push(repo, node):
    """(pushid, user, date, [nodes]) of the push that brought hex `node`,
    or None."""
    try:
        db = _opendb(repo)
    except sqlite3.Error:
        return None
    if db is None:
        return None
    try:
        row = db.execute(
            'SELECT pushlog.id, pushlog.user, pushlog.date FROM changesets '
            'JOIN pushlog ON changesets.pushid = pushlog.id WHERE changesets.node = ?',
            (node.decode('ascii'),),
        ).fetchone()
        if row is None:
            return None
        nodes = [
            r[0].encode('ascii')
            for r in db.execute(
                'SELECT node FROM changesets WHERE pushid = ? ORDER BY rev', (row[0],)
            )
        ]
        return row[0], row[1].encode('utf-8'), row[2], nodes
    except sqlite3.Error:
        return None
    finally:
        db.close()


def _lastreplicatedpush(repo):
    """The last push id every mirror has, or None when all may be shown
    (no .hg/replicated-data: not a mirror)."""
    data = repo.vfs.tryread(b'replicated-data')
    if not data:
        return None
    try:
        value = cborutil.decodeall(data)[0].get(b'last_push_id')
    except Exception:
        return 0  # unreadable: show nothing rather than too much
    return value if isinstance(value, int) else 0


def _pushesfrom(repo, firstpush):
    """(id, user, date, [nodes]) of the pushes from id `firstpush` on,
    oldest first, nodes in revision order."""
    db = _opendb(repo)
    if db is None:
        return
    last = _lastreplicatedpush(repo)
    try:
        query = (
            'SELECT pushlog.id, pushlog.user, pushlog.date, changesets.node FROM pushlog '
            'LEFT JOIN changesets ON changesets.pushid = pushlog.id WHERE pushlog.id >= ? '
        )
        args = [firstpush]
        if last is not None:
            query += 'AND pushlog.id <= ? '
            args.append(last)
        query += 'ORDER BY pushlog.id, changesets.rev'
        current = None
        for pushid, user, date, node in db.execute(query, args):
            if current is None or current[0] != pushid:
                if current is not None:
                    yield current
                current = (pushid, user.encode('utf-8'), date, [])
            if node:
                current[3].append(node.encode('ascii'))
        if current is not None:
            yield current
    finally:
        db.close()


def _pushline(push):
    pushid, user, date, nodes = push
    return b'%d %s %d %s' % (pushid, user, date, b' '.join(nodes))


@wireprotov1server.wireprotocommand(b'pushlog', b'firstpush', permission=b'pull')
def _pushlogcommand(repo, proto, firstpush):
    """"1" then one line per push; "0" and the error when it fails."""
    lines = [b'1']
    try:
        for push in _pushesfrom(repo, int(firstpush)):
            lines.append(_pushline(push))
        return b'\n'.join(lines)
    except Exception as e:
        return b'\n'.join([b'0', pycompat.bytestr(e)])


@wireprotov1server.wireprotocommand(b'pushlog-stream', b'firstpush', permission=b'pull')
def _pushlogstreamcommand(repo, proto, firstpush):
    """One line per push, then "ok" (or "error <message>")."""

    def generate():
        try:
            first = int(firstpush)
        except (ValueError, TypeError) as e:
            yield b'error %s\n' % pycompat.bytestr(e).replace(b'\n', b' ')
            return
        try:
            for push in _pushesfrom(repo, first):
                yield _pushline(push) + b'\n'
            yield b'ok\n'
        except sqlite3.Error as e:
            yield b'error %s\n' % pycompat.bytestr(e).replace(b'\n', b' ')

    return wireprototypes.streamreslegacy(gen=generate())


def _capabilities(orig, repo, proto):
    caps = orig(repo, proto)
    caps.append(b'pushlog')
    caps.append(b'pushlog-stream')
    return caps


# --- Commit messages (src/pushlog/commit_message.cc) ------------------------

_WORDCHARS = frozenset(b'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_')
_SPACES = frozenset(b' \t\n\r\f\v')
_HEXCHARS = frozenset(b'0123456789abcdefABCDEF')


def _isboundary(s, i):
    before = i > 0 and s[i - 1] in _WORDCHARS
    after = i < len(s) and s[i] in _WORDCHARS
    return before != after


def _matchword(s, i, word):
    """End of `word` (lower case) matched case-insensitively at s[i], or -1."""
    if s[i : i + len(word)].lower() == word:
        return i + len(word)
    return -1


def _skipspaces(s, i):
    while i < len(s) and s[i] in _SPACES:
        i += 1
    return i


def _keyword(s, i, words):
    if not _isboundary(s, i):
        return -1
    for w in words:
        end = _matchword(s, i, w)
        if end != -1 and _isboundary(s, end):
            return end
    return -1


def _shortnode(s, i):
    if len(s) < i + 12 or not all(c in _HEXCHARS for c in s[i : i + 12]):
        return -1
    return i + 12 if _isboundary(s, i + 12) else -1


def _backoutkeyword(line):
    for w in (b'backed out', b'backout', b'back out'):
        end = _matchword(line, 0, w)
        if end != -1 and _isboundary(line, end):
            return end
    return -1


_CHANGESET_WORDS = (b'changeset', b'revision', b'change', b'cset', b'of')
_CHANGESETS_WORDS = (b'changesets', b'revisions', b'changes', b'csets', b'of')


def _singlebackout(line):
    p = _backoutkeyword(line)
    if p == -1:
        return None
    q = _skipspaces(line, p)
    if q == p:
        return None
    after = _keyword(line, q, _CHANGESET_WORDS)
    if after != -1:
        q = _skipspaces(line, after)
    if _shortnode(line, q) == -1:
        return None
    return line[q : q + 12]


def _backouts(desc):
    """The short nodes a backout names, or None when it is no backout."""
    if _backoutkeyword(desc) == -1:
        return None
    lines = desc.splitlines()
    first = lines[0] if lines else b''
    node = _singlebackout(first)
    if node is not None:
        return [node]
    p = _backoutkeyword(first)
    q = _skipspaces(first, p)
    if q == p:
        return None
    digits = q
    while digits < len(first) and first[digits : digits + 1].isdigit():
        digits += 1
    if digits > q:
        r = _skipspaces(first, digits)
        if r > digits and _keyword(first, r, _CHANGESETS_WORDS) != -1:
            return [n for n in (_singlebackout(l) for l in lines[1:]) if n is not None]
    after = _keyword(first, q, _CHANGESETS_WORDS)
    pos = after if after != -1 else p + 1
    nodes = []
    while True:
        sep = pos
        while True:
            if sep < len(first) and (first[sep] in _SPACES or first[sep : sep + 1] == b','):
                sep += 1
            elif _matchword(first, sep, b'and') != -1:
                sep += 3
            else:
                break
        if sep == pos:
            break
        end = _shortnode(first, sep)
        if end == -1:
            break
        nodes.append(first[sep : sep + 12])
        pos = end
    return nodes or None


def _reverts(desc):
    """The git commits a revert names, or None when it is no revert."""
    lines = desc.splitlines()
    if not lines or not lines[0].startswith(b'Revert '):
        return None
    prefix = b'This reverts commit '
    commits = []
    for line in lines[1:]:
        if not line.startswith(prefix):
            continue
        sha = line[len(prefix) : len(prefix) + 40]
        if len(sha) != 40 or not all(c in b'0123456789abcdef' for c in sha):
            continue
        if not _isboundary(line, len(prefix) + 40):
            continue
        commits.append(sha)
    return commits


def _backedoutby(repo, ctx):
    """The changeset among ctx's first descendants that backs it out."""
    thisshort = short(ctx.node())
    thisgit = ctx.extra().get(b'git_commit')
    limit = repo.ui.configint(b'hgmo', b'backoutsearchlimit', 100)
    count = 0
    for rev in repo.revs(b'%d::', ctx.rev()):
        count += 1
        if count >= limit:
            break
        desc = repo[rev].description()
        backouts = _backouts(desc)
        if backouts and thisshort in backouts:
            return repo[rev].hex()
        if thisgit:
            reverts = _reverts(desc)
            if reverts and thisgit in reverts:
                return repo[rev].hex()
    return None


# --- hgweb ------------------------------------------------------------------


def _commonentry(orig, repo, ctx):
    d = orig(repo, ctx)
    push = _push(repo, ctx.hex()) if ctx.node() is not None else None
    if push:
        pushid, user, when, nodes = push
        d[b'pushid'] = pushid
        d[b'pushuser'] = user
        d[b'pushdate'] = dateutil.makedate(when)
        d[b'pushnodes'] = nodes
        d[b'pushhead'] = nodes[-1]
    else:
        d[b'pushid'] = d[b'pushuser'] = d[b'pushdate'] = None
    extra = ctx.extra()
    if extra.get(b'moz-landing-system'):
        d[b'landingsystem'] = extra[b'moz-landing-system']
    if extra.get(b'git_commit'):
        d[b'git_commit'] = extra[b'git_commit']
    return d


def _changesetentry(orig, web, ctx):
    d = orig(web, ctx)
    node = _backedoutby(web.repo, ctx)
    if node is not None:
        d['backedoutbynode'] = node
    return d


def extsetup(ui):
    extensions.wrapfunction(templater, '_readmapfile', _readmapfile)
    extensions.wrapfunction(webutil, 'commonentry', _commonentry)
    extensions.wrapfunction(webutil, 'changesetentry', _changesetentry)
    extensions.wrapfunction(wireprotov1server, '_capabilities', _capabilities)
