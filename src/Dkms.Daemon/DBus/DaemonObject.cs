using System.Text;
using Dkms.Core.Actions;
using Dkms.Protocol.V1;
using Tmds.DBus.Protocol;

namespace Dkms.Daemon.DBus;

/// <summary>
/// The exported object <see cref="DBusNames.ObjectPath"/>: Introspectable (the embedded XML), Properties
/// (read-only), Peer, and the read-only methods of <see cref="DBusNames.Interface"/>.
/// </summary>
internal sealed class DaemonObject(DaemonStatusReader reader, ILogger<DaemonObject> logger) : IPathMethodHandler
{
    private static readonly ReadOnlyMemory<byte> InterfaceXml = LoadXml();

    // Tmds.DBus adds Introspectable and Peer to the reply; Properties is ours to declare.
    private static readonly ReadOnlyMemory<byte> PropertiesXml = """
        <interface name="org.freedesktop.DBus.Properties">
          <method name="Get"><arg name="interface" type="s" direction="in"/><arg name="name" type="s" direction="in"/><arg name="value" type="v" direction="out"/></method>
          <method name="GetAll"><arg name="interface" type="s" direction="in"/><arg name="properties" type="a{sv}" direction="out"/></method>
          <method name="Set"><arg name="interface" type="s" direction="in"/><arg name="name" type="s" direction="in"/><arg name="value" type="v" direction="in"/></method>
          <signal name="PropertiesChanged"><arg name="interface" type="s"/><arg name="changed" type="a{sv}"/><arg name="invalidated" type="as"/></signal>
        </interface>
        """u8.ToArray();
    private static readonly string[] PropertyNames = ["Version", "ActiveJobCount"];

    public string Path => DBusNames.ObjectPath;

    public bool HandlesChildPaths => false;

    /// <summary>The checked-in interface description, as embedded in the assembly.</summary>
    public static string InterfaceXmlText => Encoding.UTF8.GetString(InterfaceXml.Span);

    public ValueTask HandleMethodAsync(MethodContext context)
    {
        try
        {
            Dispatch(context);
        }
        catch (Exception e)
        {
            // A throwing handler would make Tmds.DBus drop the whole connection: answer this call with an error instead.
            DBusLog.MethodFailed(logger, context.Request.MemberAsString ?? "?", e);
            if (!context.ReplySent && !context.NoReplyExpected)
            {
                context.ReplyError("org.dkmsd.Daemon1.Error.Failed", e.Message);
            }
        }

        return ValueTask.CompletedTask;
    }

    private void Dispatch(MethodContext context)
    {
        var request = context.Request;
        var iface = request.InterfaceAsString;
        var member = request.MemberAsString ?? string.Empty;
        switch (iface, member)
        {
            case (DBusNames.Introspectable, "Introspect"):
                context.ReplyIntrospectXml([InterfaceXml, PropertiesXml], ReadOnlySpan<string>.Empty);
                break;
            case (DBusNames.Peer, "Ping"):
                Reply(context, null, (ref MessageWriter _) => { });
                break;
            case (DBusNames.Peer, "GetMachineId"):
                Reply(context, "s", (ref MessageWriter w) => w.WriteString(MachineId()));
                break;
            case (DBusNames.Properties, _):
                Properties(context, member);
                break;
            case (DBusNames.Interface or null, "GetActiveJobs"):
                Reply(context, "a(sssssss)", (ref MessageWriter w) =>
                {
                    var array = w.WriteArrayStart(DBusType.Struct);
                    foreach (var job in reader.ActiveJobs())
                    {
                        w.WriteStructureStart();
                        var k = job.Key ?? new JobKey();
                        foreach (var s in new[] { job.Id, EventSignals.Text(job.Action), k.Module, k.Version, k.Kernel, k.Arch, EventSignals.StateText(job.State) })
                        {
                            w.WriteString(s);
                        }
                    }

                    w.WriteArrayEnd(array);
                });
                break;
            case (DBusNames.Interface or null, "GetStatus" or "GetStatusLines"):
                // The engine reads the trees (and may run bash): answer off the connection's read loop.
                context.DisposesAsynchronously = true;
                _ = ReplyStatusAsync(context, lines: member == "GetStatusLines");
                break;
            default:
                context.ReplyUnknownMethodError();
                break;
        }
    }

    private async Task ReplyStatusAsync(MethodContext context, bool lines)
    {
        try
        {
            var (entries, text) = await reader.StatusAsync(context.RequestAborted).ConfigureAwait(false);
            if (lines)
            {
                Reply(context, "as", (ref MessageWriter w) => w.WriteArray(text.ToArray()));
                return;
            }

            Reply(context, "a(sssss)", (ref MessageWriter w) =>
            {
                var array = w.WriteArrayStart(DBusType.Struct);
                foreach (var e in entries)
                {
                    w.WriteStructureStart();
                    w.WriteString(e.Module.Name);
                    w.WriteString(e.Module.Version);
                    w.WriteString(e.Target?.Kernel ?? string.Empty);
                    w.WriteString(e.Target?.Arch ?? string.Empty);
                    w.WriteString(e.State.ToString().ToLowerInvariant());
                }

                w.WriteArrayEnd(array);
            });
        }
        catch (Exception e)
        {
            DBusLog.MethodFailed(logger, "GetStatus", e);
            context.ReplyError("org.dkmsd.Daemon1.Error.Failed", e.Message);
        }
        finally
        {
            context.Dispose();
        }
    }

    private void Properties(MethodContext context, string member)
    {
        var body = context.Request.GetBodyReader();
        switch (member)
        {
            case "Get":
                var iface = body.ReadString();
                var name = body.ReadString();
                if (iface != DBusNames.Interface || name is not ("Version" or "ActiveJobCount"))
                {
                    context.ReplyError("org.freedesktop.DBus.Error.UnknownProperty", $"No property {iface}.{name}.");
                    return;
                }

                Reply(context, "v", (ref MessageWriter w) => WriteProperty(ref w, name));
                break;
            case "GetAll":
                var all = body.ReadString();
                Reply(context, "a{sv}", (ref MessageWriter w) =>
                {
                    var dict = w.WriteDictionaryStart();
                    if (all == DBusNames.Interface)
                    {
                        foreach (var p in PropertyNames)
                        {
                            w.WriteDictionaryEntryStart();
                            w.WriteString(p);
                            WriteProperty(ref w, p);
                        }
                    }

                    w.WriteDictionaryEnd(dict);
                });
                break;
            case "Set":
                context.ReplyError("org.freedesktop.DBus.Error.PropertyReadOnly", "Every property of dkmsd is read-only.");
                break;
            default:
                context.ReplyUnknownMethodError();
                break;
        }
    }

    private void WriteProperty(ref MessageWriter w, string name)
    {
        if (name == "Version")
        {
            w.WriteVariantString(DkmsEngine.ToolVersion);
        }
        else
        {
            w.WriteVariantUInt32((uint)reader.ActiveJobs().Count);
        }
    }

    /// <summary>Writes a reply body. MessageWriter is a struct: it must be passed by reference.</summary>
    private delegate void BodyWriter(ref MessageWriter writer);

    private static void Reply(MethodContext context, string? signature, BodyWriter body)
    {
        if (context.NoReplyExpected)
        {
            return;
        }

        var writer = context.CreateReplyWriter(signature!);
        try
        {
            body(ref writer);
            context.Reply(writer.CreateMessage());
        }
        finally
        {
            writer.Dispose();
        }
    }

    private static string MachineId()
    {
        foreach (var f in new[] { "/etc/machine-id", "/var/lib/dbus/machine-id" })
        {
            try
            {
                return File.ReadAllText(f).Trim();
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return string.Empty;
    }

    private static ReadOnlyMemory<byte> LoadXml()
    {
        using var stream = typeof(DaemonObject).Assembly.GetManifestResourceStream("org.dkmsd.Daemon1.xml")
            ?? throw new InvalidOperationException("The embedded org.dkmsd.Daemon1.xml is missing.");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }
}
