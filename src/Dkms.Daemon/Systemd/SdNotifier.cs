using System.Net.Sockets;
using System.Text;

namespace Dkms.Daemon.Systemd;

/// <summary>
/// sd_notify(3): one datagram to <c>$NOTIFY_SOCKET</c>, sent whenever the variable is set.
/// </summary>
/// <remarks>Microsoft.Extensions.Hosting.Systemd only notifies when its parent process is named
/// <c>systemd</c>; this one trusts NOTIFY_SOCKET alone, as libsystemd does.</remarks>
internal sealed class SdNotifier
{
    private readonly string? _path;

    public SdNotifier() : this(Environment.GetEnvironmentVariable("NOTIFY_SOCKET"))
    {
    }

    /// <summary>For testing: a notifier writing to <paramref name="notifySocket"/> (null or empty: disabled).</summary>
    internal SdNotifier(string? notifySocket)
    {
        // '@' names an abstract socket.
        _path = string.IsNullOrEmpty(notifySocket) ? null : notifySocket[0] == '@' ? "\0" + notifySocket[1..] : notifySocket;
    }

    public bool IsEnabled => _path is not null;

    /// <summary>Sends <paramref name="state"/> (e.g. <c>READY=1</c>); false when disabled.</summary>
    /// <exception cref="SocketException">The notify socket could not be written.</exception>
    public bool Notify(string state)
    {
        if (_path is null)
        {
            return false;
        }

        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.SendTo(Encoding.UTF8.GetBytes(state), new UnixDomainSocketEndPoint(_path));
        return true;
    }
}
