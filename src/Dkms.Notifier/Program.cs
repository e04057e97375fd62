using Dkms.Notifier.Buses;
using Dkms.Notifier.Notifications;
using Tmds.DBus.Protocol;

// dkms-notify: dkmsd's signals (system bus) as desktop notifications (session bus). Runs per user, from autostart.
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c =>
{
    c.Cancel = true;
    stop.Cancel();
});

var system = DBusAddress.System ?? "unix:path=/run/dbus/system_bus_socket";
var session = DBusAddress.Session;
if (string.IsNullOrEmpty(session))
{
    await Console.Error.WriteLineAsync("dkms-notify: no session bus (DBUS_SESSION_BUS_ADDRESS is not set)");
    return 1;
}

var log = Console.Out;
var planner = new NotificationPlanner(TimeProvider.System);
var source = new DkmsSignalSource(system, log);
using var desktop = new DesktopNotifications(session, planner, log);
var listening = source.RunAsync(stop.Token);
try
{
    await foreach (var signal in source.Signals.ReadAllAsync(stop.Token))
    {
        if (planner.Plan(signal) is { } notification)
        {
            await desktop.ShowAsync(notification, stop.Token);
        }
    }
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
}

await listening;
return 0;
