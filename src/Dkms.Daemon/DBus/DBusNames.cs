namespace Dkms.Daemon.DBus;

/// <summary>dkmsd's names on the system bus (see <c>org.dkmsd.Daemon1.xml</c> and the policy in systemd/dbus/).</summary>
internal static class DBusNames
{
    public const string BusName = "org.dkmsd.Daemon1";
    public const string ObjectPath = "/org/dkmsd/Daemon1";
    public const string Interface = "org.dkmsd.Daemon1";

    public const string Introspectable = "org.freedesktop.DBus.Introspectable";
    public const string Properties = "org.freedesktop.DBus.Properties";
    public const string Peer = "org.freedesktop.DBus.Peer";
}
