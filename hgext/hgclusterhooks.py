# hgclusterhooks: the leader's replication hooks without a process per hook
# (hgcluster).
#
# The leader hgrc configures its hooks as external commands,
#   pretxnopen.hgcluster = /usr/bin/hgcluster hook pretxnopen --config HGRC
# and hg runs each as `sh -c` plus an hgcluster start (~25 ms, five or six
# times per push). With this extension loaded, hg still does everything it
# does for an external hook (writes the pending changelog, builds the HG_*
# environment, words a failure "hook exited with status N"), but instead of
# starting the command it hands the command's working directory and
# environment to the leader host's producer agent (`hgcluster
# producer-agent`, [replicationproducer] agentsocket), which runs the same
# hook code with its long-lived log producer and answers with the hook's
# exit status and output (protocol: src/leader/agent_protocol.h, op 'H').
#
# Whenever the agent cannot take the hook before running it (no socket, an
# agent that does not run hooks, another config or host, a malformed
# answer), hg starts the command exactly as without this extension. Once a
# request has been sent, a lost answer counts as a failed hook (it may have
# run): hg refuses the transaction, or warns after a commit.
#
# With `[replicationproducer] pushbundles = true` the changegroup hook's
# request also carries the push itself as an hg bundle (changegroup, phase
# heads, the bookmarks pointing into the push), built here where the
# changesets are at hand; the agent puts it into the changegroup event so
# mirrors apply the push without pulling it from the leader
# (src/message/push_bundle.h). Pushes of more than `pushbundlemaxchangesets`
# (500) changesets or bundles over 32 MiB go without one: mirrors pull them
# as before. Obsolescence markers are not in the bundle: the push's markers
# follow its changegroup event as `obsolete` pushkeys.
#
# Enable on a leader with (`hgcluster up` does):
#   [extensions]
#   hgclusterhooks = /path/to/hgclusterhooks.py
import os
import struct

# The C module under `socket`: importing `socket` itself costs a push ~4 ms.
import _socket as socket

from mercurial import encoding, extensions, hook as hookmod, pycompat
from mercurial import ui as uimod
from mercurial.utils import procutil

testedwith = b'6.3'

_VERSION = 1
_MAX_ENV = 4096
_MAX_BUNDLE = 32 << 20

# The repository of the external hook hg is running (hook._exthook knows it,
# ui._runsystem does not).
_hookrepo = []


def _shellwords(cmd):
    """Words of a command made of bare words and '...' quoted parts (as
    ShellQuote in src/common/subprocess.cc writes them), or None for
    anything else, which is left to the shell."""
    words, word, quoted, inword = [], [], False, False
    for ch in cmd:
        if quoted:
            if ch == "'":
                quoted = False
            else:
                word.append(ch)
        elif ch == "'":
            quoted = inword = True
        elif ch == ' ':
            if inword:
                words.append(''.join(word))
                word, inword = [], False
        elif ch.isalnum() or ch in '/._-=+,:@%':
            word.append(ch)
            inword = True
        else:
            return None
    if quoted:
        return None
    if inword:
        words.append(''.join(word))
    return words


def _hookcommand(cmd):
    """(hook name, config path) when `cmd` is `<hgcluster> hook NAME --config
    PATH` with an absolute PATH, else None."""
    try:
        argv = _shellwords(cmd.decode('utf-8'))
    except UnicodeDecodeError:
        return None
    if not argv or len(argv) != 5 or argv[1] != 'hook' or argv[3] != '--config':
        return None
    if os.path.basename(argv[0]) != 'hgcluster' or not argv[4].startswith('/'):
        return None
    return os.fsencode(argv[2]), os.fsencode(argv[4])


def _socketpath(ui, env):
    """The agent socket of this leader host, as ProducerConfig::AgentSocket
    and MasterHostName (src/master/master_state.cc) compute it."""
    path = ui.config(b'replicationproducer', b'agentsocket')
    if not path:
        return None
    if b'{host}' in path:
        host = env.get(b'HGCLUSTER_HOST') or ui.config(b'hgcluster', b'host')
        if not host:
            host = socket.gethostname().encode('utf-8')
        path = path.replace(b'{host}', host, 1)
    return path


def _agenttimeout(ui):
    """Seconds the agent has to start a hook ([replicationproducer]
    agenttimeout, as for an append)."""
    try:
        seconds = float(ui.config(b'replicationproducer', b'agenttimeout') or 30)
    except ValueError:
        seconds = 30
    return seconds if 0 < seconds <= 3600 else 30


def _field16(data):
    return struct.pack('>H', len(data)) + data


def _pushbundle(ui, repo, env):
    """The changesets the hook's transaction added (hidden ones too), as an
    HG20 bundle with their phases and the bookmarks pointing into them; b''
    when the push is better pulled (too big) or cannot be bundled.

    What bundle2's 'push' parts would hold (changegroup, phase-heads), built
    without revsets: the transaction's revisions are one range, so its heads
    and the parents below it come from one walk of its parents (five revset
    evaluations cost a push ~3 ms)."""
    from mercurial import bookmarks as bookmod, bundle2, changegroup, discovery, phases
    from mercurial.interfaces import repository
    from mercurial.node import bin

    first = env.get(b'HG_NODE')
    if not first or repo is None:
        return b''
    last = env.get(b'HG_NODE_LAST') or first
    unfi = repo.unfiltered()
    cl = unfi.changelog
    lo, hi = cl.rev(bin(first)), cl.rev(bin(last))
    limit = ui.configint(b'replicationproducer', b'pushbundlemaxchangesets') or 500
    if hi < lo or hi - lo + 1 > limit:
        return b''
    revs = range(lo, hi + 1)
    phaseof = unfi._phasecache.phase
    phase = {r: phaseof(unfi, r) for r in revs}
    below = set()  # parents outside the range: what the receiver has
    has_child = set()  # revisions with a child in the range
    same_phase_child = set()
    for r in revs:
        for p in cl.parentrevs(r):
            if p < 0:
                continue
            if p < lo:
                below.add(p)
            else:
                has_child.add(p)
                if phase[p] == phase[r]:
                    same_phase_child.add(p)
    heads = [cl.node(r) for r in revs if r not in has_child]
    common = [cl.node(r) for r in sorted(below)]
    outgoing = discovery.outgoing(unfi, commonheads=common or None, ancestorsof=heads)
    bundler = bundle2.bundle20(ui)
    cg = changegroup.makechangegroup(unfi, outgoing, changegroup.safeversion(unfi), b'push')
    part = bundler.newpart(b'changegroup', data=cg.getchunks())
    part.addparam(b'version', cg.version)
    if b'clcount' in cg.extras:
        part.addparam(b'nbchanges', b'%d' % cg.extras[b'clcount'], mandatory=False)
    if any(phase[cl.rev(n)] == phases.secret for n in heads):
        part.addparam(b'targetphase', b'%d' % phases.secret, mandatory=False)
    if repository.REPO_FEATURE_SIDE_DATA in unfi.features:
        part.addparam(b'exp-sidedata', b'1')
    # phases.subsetphaseheads: per phase below secret, the heads of the
    # range's revisions in that phase (a child never has a lower phase).
    byphase = {p: [] for p in phases.allphases}
    for r in revs:
        if phase[r] < phases.secret and r not in same_phase_child:
            byphase[phase[r]].append(cl.node(r))
    bundler.newpart(b'phase-heads', data=phases.binaryencode(byphase))
    books = sorted(
        (name, node)
        for name, node in unfi._bookmarks.items()
        if lo <= cl.rev(node) <= hi
    )
    if books:
        bundler.newpart(b'bookmarks', data=bookmod.binaryencode(unfi, books))
    data = b''.join(bundler.getchunks())
    return data if len(data) <= _MAX_BUNDLE else b''


def _request(hook, config, cwd, env, attachment=b''):
    parts = [struct.pack('>BB', _VERSION, ord('H'))]
    for value in (hook, config, cwd):
        parts.append(_field16(value))
    entries = [
        (k, v)
        for k, v in sorted(env.items())
        if k and b'=' not in k and b'\0' not in k and len(k) < 65536
    ][:_MAX_ENV]
    parts.append(struct.pack('>I', len(entries)))
    for k, v in entries:
        parts.append(_field16(k) + struct.pack('>I', len(v)) + v)
    if attachment:
        parts.append(struct.pack('>I', len(attachment)) + attachment)
    payload = b''.join(parts)
    return struct.pack('>I', len(payload)) + payload


def _recvframe(sock):
    (length,) = struct.unpack('>I', _recvexact(sock, 4))
    if length < 2 or length > (64 << 20):
        raise IOError('bad reply length %d' % length)
    return _recvexact(sock, length)


def _recvexact(sock, n):
    chunks = []
    while n:
        chunk = sock.recv(min(n, 1 << 20))
        if not chunk:
            raise IOError('the producer agent closed the connection')
        chunks.append(chunk)
        n -= len(chunk)
    return b''.join(chunks)


class _notserved(Exception):
    """The agent did not run the hook: start the command instead."""


class _notstarted(Exception):
    """The agent took the request but did not start the hook in time."""


def _runinagent(ui, path, hook, config, cwd, env, attachment=b''):
    """(exit status, stdout bytes, stderr bytes) of the hook run by the
    agent. Raises _notserved when it was not run, _notstarted when the agent
    did not start it within agenttimeout."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(_agenttimeout(ui))
        try:
            sock.connect(pycompat.sysstr(path))
        except (OSError, socket.error):
            raise _notserved()
        try:
            sock.sendall(_request(hook, config, cwd, env, attachment))
        except (OSError, socket.error):
            # The frame did not arrive whole: the agent ran nothing.
            raise _notserved()
        try:
            reply = _recvframe(sock)
        except socket.timeout:
            # Closing the connection now stops an agent that wakes up
            # later from starting the hook (it cannot write "started").
            raise _notstarted()
        except (IOError, OSError, socket.error, struct.error):
            # Gone before "started" (killed, restarted): nothing ran.
            raise _notserved()
        version, status = struct.unpack('>BB', reply[:2])
        if version == _VERSION and status == 3:
            # Started: the hook may wait for the log and the pushlog's
            # lock (each up to its own deadline), and for the mirrors
            # (read-your-writes, src/leader/served_wait.h).
            try:
                served = float(ui.config(b'readyourwrites', b'timeout') or 30)
            except ValueError:
                served = 30
            sock.settimeout(_agenttimeout(ui) + 60 + min(max(served, 0), 3600))
            reply = _recvframe(sock)
    finally:
        sock.close()
    version, status = struct.unpack('>BB', reply[:2])
    if version != _VERSION or status != 0:
        # Not served here, a bad request, or an agent older than hooks.
        raise _notserved()
    if len(reply) < 10:
        raise IOError('truncated hook reply')
    (code,) = struct.unpack('>i', reply[2:6])
    (outlen,) = struct.unpack('>I', reply[6:10])
    if 10 + outlen > len(reply):
        raise IOError('truncated hook output')
    return code, reply[10 : 10 + outlen], reply[10 + outlen :]


# Hooks that run after hg committed: their failure is a warning, and what
# they did not record is sent again by `hg replicatesync`.
_AFTERCOMMIT = (b'txnclose', b'changegroup', b'post-init')


def _runsystem(orig, self, cmd, environ, cwd, out):
    call = _hookcommand(cmd)
    if call is None:
        return orig(self, cmd, environ, cwd, out)
    env = procutil.shellenviron(environ)
    if env.get(b'HGCLUSTER_DIRECT_PRODUCER') == b'1':
        return orig(self, cmd, environ, cwd, out)
    path = _socketpath(self, env)
    if not path:
        return orig(self, cmd, environ, cwd, out)
    hook, config = call
    workdir = cwd or encoding.getcwd()
    attachment = b''
    if hook == b'changegroup' and self.configbool(b'replicationproducer', b'pushbundles'):
        try:
            attachment = _pushbundle(self, _hookrepo[-1] if _hookrepo else None, env)
        except Exception as e:  # the mirrors pull instead
            self.log(b'hgclusterhooks', b'no push bundle: %s\n', pycompat.bytestr(str(e)))
            attachment = b''
    try:
        code, stdout, stderr = _runinagent(self, path, hook, config, workdir, env, attachment)
    except _notserved:
        return orig(self, cmd, environ, cwd, out)
    except _notstarted:
        code = 1
        if hook in _AFTERCOMMIT:
            stderr = b'(run `hg replicatesync` on this repository once the log is back)\n'
        else:
            stderr = b''
        stdout = b'replication log not available; all writes disabled\n'
        stderr = (
            b'(producer agent at %s did not confirm the append within %s s: '
            b'it did not start the %s hook)\n'
            % (path, pycompat.bytestr('%g' % _agenttimeout(self)), hook)
        ) + stderr
    except (IOError, OSError, socket.error, struct.error) as e:
        code = 1
        stdout = b''
        stderr = (
            b'producer agent at %s stopped answering the %s hook (%s); '
            b'treating the hook as failed\n'
            % (path, hook, pycompat.bytestr(str(e)))
        )
        if hook in _AFTERCOMMIT:
            stderr += b'(run `hg replicatesync` on this repository once the log is back)\n'
    if out is None or procutil.isstdout(out):
        procutil.stdout.write(stdout)
        procutil.stdout.flush()
        procutil.stderr.write(stderr)
        procutil.stderr.flush()
    else:
        out.write(stdout + stderr)
    return code


def _exthook(orig, ui, repo, htype, name, cmd, args, throw):
    _hookrepo.append(repo)
    try:
        return orig(ui, repo, htype, name, cmd, args, throw)
    finally:
        _hookrepo.pop()


def uisetup(ui):
    extensions.wrapfunction(uimod.ui, '_runsystem', _runsystem)
    extensions.wrapfunction(hookmod, '_exthook', _exthook)
