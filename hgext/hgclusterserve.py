# hgclusterserve: how the leader serves the mirrors' pulls over the wire
# protocol (hgcluster).
#
# Two things, both in wireprotov1server.getdispatchrepo, the seam hg gives
# extensions for the repository a wire command runs on:
#
# 1. Fresh state for every command. `hg serve --stdio` reads the changelog
#    and the phases once and then answers every later command of the same
#    connection from that snapshot. A mirror that keeps its connection to the
#    leader open between pulls (hgext/hgclusterpull.py) would then never see
#    a later push. So before each command the repository drops what it
#    cached, as hg's command server does between commands; what has not
#    changed on disk is kept (a stat per file).
#
# 2. The unfiltered repository for the replication account, as the
#    reference's vcsreplicator does: when `[replication] unfiltereduser`
#    equals the USER the SSH front door set (the account mirrors log in
#    with), commands that only read ("pull" permission) see hidden changesets
#    too, so a mirror receives obsolete changesets and their pushlog rows.
#    Everybody else gets the usual `served` view. A leader's HTTP endpoint
#    for replication (`hg serve` with `[replication] unfilteredhttp = true`,
#    on the internal network: `hgcluster up --pull-over http`) serves every
#    HTTP client that way; the setting has no effect on SSH sessions.
#
# Enable on a leader with (`hgcluster up` does):
#   [extensions]
#   hgclusterserve = /path/to/hgclusterserve.py
#   [replication]
#   unfiltereduser = vcs-sync@hgcluster.local
from mercurial import encoding, extensions, wireprotov1server

testedwith = b'6.3'


def _getdispatchrepo(orig, repo, proto, command, *args, **kwargs):
    urepo = repo.unfiltered()
    if urepo.currenttransaction() is None:
        urepo.invalidate()
    user = repo.ui.config(b'replication', b'unfiltereduser')
    replicating = bool(user) and user == encoding.environ.get(b'USER')
    if proto.name == b'http-v1':
        replicating = repo.ui.configbool(b'replication', b'unfilteredhttp')
    if replicating:
        entry = wireprotov1server.commands.get(command)
        if entry is not None and entry.permission == b'pull':
            return urepo
    return orig(repo, proto, command, *args, **kwargs)


def extsetup(ui):
    extensions.wrapfunction(wireprotov1server, 'getdispatchrepo', _getdispatchrepo)
