using Dkms.Core.Conf;
using Dkms.Core.Framework;

namespace Dkms.Daemon.Settings;

/// <summary>What the daemon decided once at start: the dkms settings and how it was started.</summary>
internal sealed class DaemonContext
{
    private DkmsSettings? _settings;

    /// <summary>The settings from framework.conf and the daemon's options; loaded before the socket listens.</summary>
    public DkmsSettings Settings => _settings ?? throw new InvalidOperationException("The dkms settings are not loaded yet.");

    public DateTimeOffset StartedAt { get; private set; }

    /// <summary>Evaluated dkms.conf files, shared by every request for the daemon's lifetime.</summary>
    public ConfCache ConfCache { get; } = new();

    /// <summary>True when systemd passed the listening socket (LISTEN_FDS for this process).</summary>
    public bool SocketActivated { get; } = SocketActivation.IsActive();

    public void Initialize(DkmsSettings settings, DateTimeOffset startedAt)
    {
        _settings = settings;
        StartedAt = startedAt;
    }
}
