using Dkms.Daemon.Authorization;

namespace Dkms.Daemon.Listening;

/// <summary>
/// How many connections a local user may hold open at once. Reads are open to every user, so without a bound one
/// user's idle connections could use up dkmsd's descriptors and lock root (and the kernel hooks) out. Root is never
/// limited; a connection over the limit is closed at once, before any request is read.
/// </summary>
internal sealed class ConnectionLimits(TimeProvider time, ILogger<ConnectionLimits> logger)
{
    /// <summary>Connections one non-root user may hold at once (dkmsctl needs one; watchers and notifiers one each).</summary>
    public const int PerUser = 32;

    /// <summary>Connections all non-root users together may hold at once.</summary>
    public const int AllUsers = 256;

    private static readonly TimeSpan LogEvery = TimeSpan.FromMinutes(1);

    private readonly Lock _gate = new();
    private readonly Dictionary<uint, int> _open = [];
    private int _total;
    private DateTimeOffset _lastLogged = DateTimeOffset.MinValue;

    /// <summary>Counts the connection in, or returns false when its user is over the limit (the caller closes it).</summary>
    public bool TryOpen(CallerCredentials? peer)
    {
        if (peer is { Uid: 0 })
        {
            return true;
        }

        var uid = peer?.Uid ?? uint.MaxValue;
        lock (_gate)
        {
            var mine = _open.GetValueOrDefault(uid);
            if (mine >= PerUser || _total >= AllUsers)
            {
                var now = time.GetUtcNow();
                if (now - _lastLogged >= LogEvery)
                {
                    _lastLogged = now; // one line a minute, whatever the flood
                    ListeningLog.ConnectionRefused(logger, uid, mine, _total);
                }

                return false;
            }

            _open[uid] = mine + 1;
            _total++;
            return true;
        }
    }

    public void Close(CallerCredentials? peer)
    {
        if (peer is { Uid: 0 })
        {
            return;
        }

        var uid = peer?.Uid ?? uint.MaxValue;
        lock (_gate)
        {
            if (_open.TryGetValue(uid, out var mine))
            {
                if (mine <= 1)
                {
                    _open.Remove(uid);
                }
                else
                {
                    _open[uid] = mine - 1;
                }

                _total--;
            }
        }
    }
}
