using System.Threading.Channels;
using Dkms.Notifier.Notifications;
using Tmds.DBus.Protocol;

namespace Dkms.Notifier.Buses;

/// <summary>
/// Subscribes to every org.dkmsd.Daemon1 signal on the system bus and queues them; when the bus goes away it
/// reconnects with backoff. Matching on the interface (not the sender) follows dkmsd across its restarts.
/// </summary>
internal sealed class DkmsSignalSource(string address, TextWriter log)
{
    public const string Interface = "org.dkmsd.Daemon1";

    private readonly Channel<DkmsSignal> _signals = Channel.CreateBounded<DkmsSignal>(
        new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    public ChannelReader<DkmsSignal> Signals => _signals.Reader;

    /// <summary>Raised each time the subscription is (re)established.</summary>
    public event Action? Subscribed;

    public async Task RunAsync(CancellationToken ct)
    {
        var delay = TimeSpan.FromMilliseconds(250);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                using var connection = new DBusConnection(address);
                await connection.ConnectAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
                using var match = await connection.AddMatchAsync(new MatchRule { Type = MessageType.Signal, Interface = Interface },
                    static (Message m, object? _) => SignalReader.Read(m),
                    n =>
                    {
                        if (n.HasValue)
                        {
                            _signals.Writer.TryWrite(n.Value);
                        }
                    }, false, ObserverFlags.None, null).ConfigureAwait(false);
                await log.WriteLineAsync($"dkms-notify: listening for {Interface} signals on {address}").ConfigureAwait(false);
                delay = TimeSpan.FromMilliseconds(250);
                Subscribed?.Invoke();
                var lost = await connection.DisconnectedAsync().WaitAsync(ct).ConfigureAwait(false);
                await log.WriteLineAsync($"dkms-notify: system bus lost ({lost?.Message}); reconnecting").ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is DBusExceptionBase or IOException or TimeoutException or System.Net.Sockets.SocketException)
            {
                await log.WriteLineAsync($"dkms-notify: no system bus ({e.Message}); retrying in {delay.TotalSeconds:0.##} s").ConfigureAwait(false);
            }

            try
            {
                await Task.Delay(delay, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
        }
    }
}
