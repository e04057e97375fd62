using Dkms.Daemon.Events;
using Dkms.Daemon.Options;
using Microsoft.Extensions.Options;
using Tmds.DBus.Protocol;

namespace Dkms.Daemon.DBus;

/// <summary>
/// Puts dkmsd on the system bus: owns <see cref="DBusNames.BusName"/>, exports <see cref="DaemonObject"/> and turns
/// every event of the <see cref="EventBus"/> into a signal. Without a bus the daemon runs on, says so once, and
/// reconnects with backoff; sending never waits for the bus or its listeners.
/// </summary>
internal sealed class DBusSignalService(EventBus bus, DaemonObject exported, IOptions<DaemonOptions> options, TimeProvider time,
    ILogger<DBusSignalService> logger) : BackgroundService
{
    /// <summary>The first retry after a failed connection; it doubles up to <see cref="MaxRetryDelay"/>.</summary>
    public static readonly TimeSpan MinRetryDelay = TimeSpan.FromMilliseconds(500);

    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(15);

    private volatile DBusConnection? _connection;

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.NoDBus)
        {
            DBusLog.Disabled(logger);
            return Task.CompletedTask;
        }

        // Subscribe before anything can publish (the host starts this before the socket listens).
        var subscription = bus.Subscribe();
        return Task.WhenAll(
            Task.Run(() => PumpAsync(subscription, stoppingToken), CancellationToken.None),
            Task.Run(() => ConnectLoopAsync(stoppingToken), CancellationToken.None));
    }

    /// <summary>Reads events in order; each becomes a signal if a connection is up, else it is only mapped.</summary>
    private async Task PumpAsync(Subscription subscription, CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    await foreach (var e in subscription.Reader.ReadAllAsync(ct).ConfigureAwait(false))
                    {
                        if (EventSignals.Map(e) is { } signal && _connection is { } connection)
                        {
                            Send(connection, signal);
                        }
                    }

                    return;
                }
                catch (SubscriberOverflowException overflow)
                {
                    // Far behind (a stuck bus): resume from the bus's history rather than block publishers.
                    DBusLog.Overflowed(logger, overflow.LastDelivered);
                    subscription.Dispose();
                    subscription = bus.Subscribe(overflow.LastDelivered);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            subscription.Dispose();
        }
    }

    /// <summary>Writes the signal into the connection's send queue; TrySendMessage never blocks.</summary>
    internal static bool Send(DBusConnection connection, DBusSignal signal)
    {
        var writer = connection.GetMessageWriter();
        try
        {
            WriteSignal(ref writer, signal);
            return connection.TrySendMessage(writer.CreateMessage());
        }
        finally
        {
            writer.Dispose();
        }
    }

    /// <remarks>MessageWriter is a struct: by reference, or the writes land in a copy.</remarks>
    internal static void WriteSignal(ref MessageWriter writer, DBusSignal signal)
    {
        writer.WriteSignalHeader(null, DBusNames.ObjectPath, DBusNames.Interface, signal.Member, signal.Signature);
        foreach (var arg in signal.Args)
        {
            switch (arg)
            {
                case string s:
                    writer.WriteString(s);
                    break;
                case int i:
                    writer.WriteInt32(i);
                    break;
                case bool b:
                    writer.WriteBool(b);
                    break;
                case string[] a:
                    writer.WriteArray(a);
                    break;
                default:
                    throw new InvalidOperationException($"No D-Bus encoding for {arg.GetType()}.");
            }
        }
    }

    private async Task ConnectLoopAsync(CancellationToken ct)
    {
        var address = DBusAddress.System ?? "unix:path=/run/dbus/system_bus_socket";
        var delay = MinRetryDelay;
        var reported = false; // one warning per outage, not one per retry
        while (!ct.IsCancellationRequested)
        {
            DBusConnection? connection = null;
            try
            {
                connection = new DBusConnection(new DBusConnectionOptions(address)
                {
                    OnException = c => DBusLog.ConnectionException(logger, c.Source.ToString(), c.DisconnectConnection, c.Exception),
                });
                await connection.ConnectAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
                connection.AddMethodHandler(exported);
                if (!await connection.TryRequestNameAsync(DBusNames.BusName, RequestNameOptions.None).ConfigureAwait(false))
                {
                    DBusLog.NameTaken(logger, DBusNames.BusName);
                    throw new InvalidOperationException($"{DBusNames.BusName} is owned by another process");
                }

                DBusLog.Connected(logger, DBusNames.BusName, address);
                reported = false;
                delay = MinRetryDelay;
                _connection = connection;
                var lost = await connection.DisconnectedAsync().WaitAsync(ct).ConfigureAwait(false);
                _connection = null;
                DBusLog.Lost(logger, lost?.Message ?? "disconnected");
                reported = true; // the loss was the one line for this outage
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                _connection = null;
                if (!reported)
                {
                    DBusLog.Unavailable(logger, address, e.Message);
                    reported = true;
                }
                else
                {
                    DBusLog.RetryFailed(logger, e.Message, delay);
                }
            }
            finally
            {
                connection?.Dispose();
            }

            try
            {
                await Task.Delay(delay, time, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
        }

        _connection = null;
    }
}
