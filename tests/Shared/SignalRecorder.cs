using System.Text;
using Tmds.DBus.Protocol;

namespace Dkms.Tests.Shared;

/// <summary>One received signal: its member and its arguments (string, int, bool, string[]).</summary>
internal sealed record ReceivedSignal(string Member, IReadOnlyList<object> Args)
{
    public string S(int i) => (string)Args[i];

    public override string ToString()
    {
        var b = new StringBuilder(Member).Append('(');
        b.AppendJoin(", ", Args.Select(a => a is string[] s ? "[" + string.Join(",", s) + "]" : a.ToString()));
        return b.Append(')').ToString();
    }
}

/// <summary>A Tmds.DBus.Protocol subscriber to every signal of one interface, keeping what it saw.</summary>
internal sealed class SignalRecorder : IAsyncDisposable
{
    private readonly DBusConnection _connection;
    private readonly List<ReceivedSignal> _seen = [];
    private IDisposable? _match;

    private SignalRecorder(DBusConnection connection) => _connection = connection;

    public DBusConnection Connection => _connection;

    public static async Task<SignalRecorder> StartAsync(string address, string @interface)
    {
        var connection = new DBusConnection(address);
        await connection.ConnectAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(15));
        var recorder = new SignalRecorder(connection);
        recorder._match = await connection.AddMatchAsync(new MatchRule { Type = MessageType.Signal, Interface = @interface },
            static (Message m, object? _) => Read(m),
            n =>
            {
                if (n.HasValue)
                {
                    lock (recorder._seen)
                    {
                        recorder._seen.Add(n.Value);
                    }
                }
            }, false, ObserverFlags.None, null).AsTask().WaitAsync(TimeSpan.FromSeconds(15));
        return recorder;
    }

    public IReadOnlyList<ReceivedSignal> Seen
    {
        get
        {
            lock (_seen)
            {
                return [.. _seen];
            }
        }
    }

    /// <summary>Waits for a signal matching <paramref name="match"/>.</summary>
    public async Task<ReceivedSignal> WaitForAsync(Func<ReceivedSignal, bool> match, TimeSpan? timeout = null)
    {
        var end = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < end)
        {
            if (Seen.FirstOrDefault(match) is { } s)
            {
                return s;
            }

            await Task.Delay(25);
        }

        throw new TimeoutException("No matching signal; seen: " + string.Join("; ", Seen));
    }

    /// <summary>Waits until <paramref name="name"/> has an owner on the bus.</summary>
    public static async Task WaitForNameAsync(DBusConnection connection, string name, TimeSpan? timeout = null)
    {
        var end = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (DateTime.UtcNow < end)
        {
            if ((await connection.ListServicesAsync().WaitAsync(TimeSpan.FromSeconds(10))).Contains(name))
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"{name} never appeared on the bus.");
    }

    public static ReceivedSignal Read(Message m)
    {
        var r = m.GetBodyReader();
        var args = new List<object>();
        var sig = m.SignatureAsString ?? string.Empty;
        for (var i = 0; i < sig.Length; i++)
        {
            switch (sig[i])
            {
                case 's': args.Add(r.ReadString()); break;
                case 'i': args.Add(r.ReadInt32()); break;
                case 'u': args.Add(r.ReadUInt32()); break;
                case 'b': args.Add(r.ReadBool()); break;
                case 'a' when i + 1 < sig.Length && sig[i + 1] == 's': args.Add(r.ReadArrayOfString()); i++; break;
                default: throw new NotSupportedException($"Signature {sig}");
            }
        }

        return new ReceivedSignal(m.MemberAsString ?? string.Empty, args);
    }

    public async ValueTask DisposeAsync()
    {
        _match?.Dispose();
        _connection.Dispose();
        await Task.CompletedTask;
    }
}
