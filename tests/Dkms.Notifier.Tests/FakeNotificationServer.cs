using Tmds.DBus.Protocol;

namespace Dkms.Notifier.Tests;

/// <summary>A real org.freedesktop.Notifications service on a session bus, recording every Notify call.</summary>
internal sealed class FakeNotificationServer : IPathMethodHandler, IDisposable
{
    private readonly List<NotifyCall> _calls = [];
    private DBusConnection? _connection;
    private uint _nextId;

    public string Path => "/org/freedesktop/Notifications";

    public bool HandlesChildPaths => false;

    public IReadOnlyList<NotifyCall> Calls
    {
        get
        {
            lock (_calls)
            {
                return [.. _calls];
            }
        }
    }

    public async Task StartAsync(string address)
    {
        _connection?.Dispose();
        _connection = new DBusConnection(address);
        await _connection.ConnectAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(15));
        _connection.AddMethodHandler(this);
        await _connection.RequestNameAsync("org.freedesktop.Notifications", RequestNameOptions.None).WaitAsync(TimeSpan.FromSeconds(15));
    }

    public async Task<NotifyCall> WaitForAsync(Func<NotifyCall, bool> match)
    {
        var end = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < end)
        {
            if (Calls.FirstOrDefault(match) is { } c)
            {
                return c;
            }

            await Task.Delay(25);
        }

        throw new TimeoutException("No matching Notify; got: " + string.Join("; ", Calls));
    }

    public ValueTask HandleMethodAsync(MethodContext context)
    {
        var request = context.Request;
        if (request.InterfaceAsString != "org.freedesktop.Notifications" || request.MemberAsString != "Notify")
        {
            context.ReplyUnknownMethodError();
            return ValueTask.CompletedTask;
        }

        var r = request.GetBodyReader();
        var app = r.ReadString();
        var replaces = r.ReadUInt32();
        r.ReadString(); // icon
        var summary = r.ReadString();
        var body = r.ReadString();
        r.ReadArrayOfString();
        var hints = r.ReadDictionaryOfStringToVariantValue();
        r.ReadInt32();
        byte urgency = hints.TryGetValue("urgency", out var u) ? u.GetByte() : (byte)255;
        var id = replaces != 0 ? replaces : Interlocked.Increment(ref _nextId);
        lock (_calls)
        {
            _calls.Add(new NotifyCall(app, replaces, summary, body, urgency, id));
        }

        var w = context.CreateReplyWriter("u");
        try
        {
            w.WriteUInt32(id);
            context.Reply(w.CreateMessage());
        }
        finally
        {
            w.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    public void Dispose() => _connection?.Dispose();
}

internal sealed record NotifyCall(string App, uint ReplacesId, string Summary, string Body, byte Urgency, uint Id);
