using Dkms.Notifier.Notifications;
using Tmds.DBus.Protocol;
using Notification = Dkms.Notifier.Notifications.Notification;

namespace Dkms.Notifier.Buses;

/// <summary>
/// org.freedesktop.Notifications.Notify on the session bus, on a connection made when first needed and made
/// again after the session bus or the notification server went away. Works with any server of the spec.
/// </summary>
internal sealed class DesktopNotifications(string address, NotificationPlanner planner, TextWriter log) : IDisposable
{
    private const string Service = "org.freedesktop.Notifications";
    private const string ObjectPath = "/org/freedesktop/Notifications";

    private DBusConnection? _connection;

    /// <summary>Raises <paramref name="n"/>; one retry on a fresh connection if the old one is gone.</summary>
    public async Task ShowAsync(Notification n, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var connection = await ConnectAsync(ct).ConfigureAwait(false);
                var id = await connection.CallMethodAsync(CreateNotify(connection, n, planner.ReplacesId(n.Key)),
                    static (Message m, object? _) => m.GetBodyReader().ReadUInt32(), null).WaitAsync(TimeSpan.FromSeconds(25), ct).ConfigureAwait(false);
                planner.Shown(n.Key, id);
                await log.WriteLineAsync($"dkms-notify: shown #{id}: {n.Summary}").ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is DBusExceptionBase or IOException or TimeoutException or System.Net.Sockets.SocketException
                                          or ObjectDisposedException && !ct.IsCancellationRequested)
            {
                _connection?.Dispose();
                _connection = null;
                planner.ServerRestarted();
                await log.WriteLineAsync($"dkms-notify: could not notify ({e.Message})").ConfigureAwait(false);
                if (attempt >= 2)
                {
                    return; // the notification is lost, the notifier is not
                }

                await Task.Delay(TimeSpan.FromMilliseconds(500 * (attempt + 1)), ct).ConfigureAwait(false);
            }
        }
    }

    public void Dispose() => _connection?.Dispose();

    private async Task<DBusConnection> ConnectAsync(CancellationToken ct)
    {
        if (_connection is { } c)
        {
            return c;
        }

        var connection = new DBusConnection(address);
        try
        {
            await connection.ConnectAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        _connection = connection;
        _ = connection.DisconnectedAsync().ContinueWith(_ => Forget(connection), TaskScheduler.Default);
        return connection;
    }

    private void Forget(DBusConnection connection)
    {
        if (Interlocked.CompareExchange(ref _connection, null, connection) == connection)
        {
            planner.ServerRestarted();
        }
    }

    /// <summary>Notify(app_name s, replaces_id u, app_icon s, summary s, body s, actions as, hints a{sv}, expire_timeout i).</summary>
    private static MessageBuffer CreateNotify(DBusConnection connection, Notification n, uint replacesId)
    {
        var w = connection.GetMessageWriter();
        try
        {
            w.WriteMethodCallHeader(Service, ObjectPath, Service, "Notify", "susssasa{sv}i", MessageFlags.None);
            w.WriteString("dkms-notify");
            w.WriteUInt32(replacesId);
            w.WriteString(n.Urgency == Notification.Critical ? "dialog-error" : "dialog-information");
            w.WriteString(n.Summary);
            w.WriteString(n.Body);
            w.WriteArray(Array.Empty<string>());
            var hints = w.WriteDictionaryStart();
            w.WriteDictionaryEntryStart();
            w.WriteString("urgency");
            w.WriteVariantByte(n.Urgency);
            w.WriteDictionaryEntryStart();
            w.WriteString("desktop-entry");
            w.WriteVariantString("dkms-notify");
            w.WriteDictionaryEnd(hints);
            w.WriteInt32(-1);
            return w.CreateMessage();
        }
        finally
        {
            w.Dispose();
        }
    }
}
