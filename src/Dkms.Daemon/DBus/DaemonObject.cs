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
    private static readonly string[] PropertyNames = ["Version", "ActiveJobCount"];

    public string Path => DBusNames.ObjectPath;

    public bool HandlesChildPaths => false;

    /// <summary>The checked-in interface description, as embedded in the assembly.</summary>
    public static string InterfaceXmlText => Encoding.UTF8.GetString(InterfaceXml.Span);

    public ValueTask HandleMethodAsync(MethodContext context)
    {
        var request = context.Request;
        var iface = request.InterfaceAsString;
        var member = request.MemberAsString ?? string.Empty;
        switch (iface, member)
        {
            case (DBusNames.Introspectable, "Introspect"):
                context.ReplyIntrospectXml([InterfaceXml], ReadOnlySpan<string>.Empty);
                break;
            case (DBusNames.Peer, "Ping"):
                Reply(context, null, _ => { });
                break;
            case (DBusNames.Peer, "GetMachineId"):
                Reply(context, "s", w => w.WriteString(MachineId()));
                break;
            case (DBusNames.Properties, _):
                Properties(context, member);
                break;
            case (DBusNames.Interface or null, "GetActiveJobs"):
                Reply(context, "a(sssssss)", w =>
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

        return ValueTask.CompletedTask;
    }

    private async Task ReplyStatusAsync(MethodContext context, bool lines)
    {
        try
        {
            var (entries, text) = await reader.StatusAsync(context.RequestAborted).ConfigureAwait(false);
            if (lines)
            {
                Reply(context, "as", w => w.WriteArray(text.ToArray()));
                return;
            }

            Reply(context, "a(sssss)", w =>
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

                Reply(context, "v", w => WriteProperty(w, name));
                break;
            case "GetAll":
                var all = body.ReadString();
                Reply(context, "a{sv}", w =>
                {
                    var dict = w.WriteDictionaryStart();
                    if (all == DBusNames.Interface)
                    {
                        foreach (var p in PropertyNames)
                        {
                            w.WriteDictionaryEntryStart();
                            w.WriteString(p);
                            WriteProperty(w, p);
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

    private void WriteProperty(MessageWriter w, string name)
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

    private static void Reply(MethodContext context, string? signature, Action<MessageWriter> body)
    {
        if (context.NoReplyExpected)
        {
            return;
        }

        using var writer = context.CreateReplyWriter(signature!);
        body(writer);
        context.Reply(writer.CreateMessage());
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
