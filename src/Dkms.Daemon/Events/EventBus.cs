using System.Threading.Channels;
using Dkms.Protocol.V1;
using Google.Protobuf.WellKnownTypes;

namespace Dkms.Daemon.Events;

/// <summary>
/// The daemon's one event stream: every state change is published here once, numbered, kept in a bounded
/// history for late subscribers, and fanned out to subscribers (gRPC Watch; later D-Bus).
/// </summary>
/// <remarks>Publishing never waits: a subscriber that falls <see cref="SubscriberCapacity"/> events behind
/// is dropped (its stream ends with an error and it can resume from the last sequence it saw), so a slow
/// reader never delays a build.</remarks>
internal sealed class EventBus(TimeProvider time)
{
    public const int HistoryCapacity = 2048;
    public const int SubscriberCapacity = 4096;

    private readonly Lock _gate = new();
    private readonly Queue<Event> _history = new();
    private readonly List<Subscriber> _subscribers = [];
    private ulong _sequence;

    /// <summary>Changes every time the daemon starts: sequence numbers restart with it.</summary>
    public string BootId { get; } = Guid.NewGuid().ToString("N");

    /// <summary>Numbers, stamps and delivers <paramref name="e"/>.</summary>
    public Event Publish(Event e)
    {
        ArgumentNullException.ThrowIfNull(e);
        lock (_gate)
        {
            e.Sequence = ++_sequence;
            e.Time = Timestamp.FromDateTimeOffset(time.GetUtcNow());
            e.BootId = BootId;
            _history.Enqueue(e);
            if (_history.Count > HistoryCapacity)
            {
                _history.Dequeue();
            }

            for (var i = _subscribers.Count - 1; i >= 0; i--)
            {
                var s = _subscribers[i];
                if (!s.Accepts(e))
                {
                    continue;
                }

                if (!s.Channel.Writer.TryWrite(e))
                {
                    s.Channel.Writer.TryComplete(new SubscriberOverflowException(e.Sequence - 1));
                    _subscribers.RemoveAt(i);
                }
            }
        }

        return e;
    }

    /// <summary>
    /// Events after <paramref name="afterSequence"/> still in the history (none for 0), then every new one,
    /// optionally only those about <paramref name="module"/>. Dispose to stop.
    /// </summary>
    public Subscription Subscribe(ulong afterSequence = 0, string? module = null)
    {
        var subscriber = new Subscriber(string.IsNullOrEmpty(module) ? null : module,
            Channel.CreateBounded<Event>(new BoundedChannelOptions(SubscriberCapacity) { SingleReader = true, SingleWriter = false }));
        lock (_gate)
        {
            if (afterSequence > 0)
            {
                foreach (var e in _history.Where(e => e.Sequence > afterSequence && subscriber.Accepts(e)))
                {
                    subscriber.Channel.Writer.TryWrite(e);
                }
            }

            _subscribers.Add(subscriber);
        }

        return new Subscription(subscriber.Channel.Reader, () =>
        {
            lock (_gate)
            {
                _subscribers.Remove(subscriber);
            }

            subscriber.Channel.Writer.TryComplete();
        });
    }

    /// <summary>The module an event is about, or null for kernel events (which every filter passes).</summary>
    public static string? ModuleOf(Event e) => e.KindCase switch
    {
        Event.KindOneofCase.JobQueued => e.JobQueued.Job.Key.Module,
        Event.KindOneofCase.JobStarted => e.JobStarted.Job.Key.Module,
        Event.KindOneofCase.JobPhase => e.JobPhase.Job.Key.Module,
        Event.KindOneofCase.JobFinished => e.JobFinished.Job.Key.Module,
        Event.KindOneofCase.ModuleAdded => e.ModuleAdded.Module.Name,
        Event.KindOneofCase.ModuleRemoved => e.ModuleRemoved.Module.Name,
        _ => null,
    };

    private sealed record Subscriber(string? Module, Channel<Event> Channel)
    {
        public bool Accepts(Event e) => Module is null || ModuleOf(e) is not { Length: > 0 } m || m == Module;
    }
}

/// <summary>A live subscription to the <see cref="EventBus"/>.</summary>
internal sealed class Subscription(ChannelReader<Event> reader, System.Action stop) : IDisposable
{
    public ChannelReader<Event> Reader { get; } = reader;

    public void Dispose() => stop();
}

/// <summary>The subscriber fell too far behind; it saw every event up to <see cref="LastDelivered"/>.</summary>
internal sealed class SubscriberOverflowException(ulong lastDelivered)
    : Exception($"The event stream fell behind and was dropped after event {lastDelivered}; resume with after_sequence={lastDelivered}.")
{
    public ulong LastDelivered { get; } = lastDelivered;
}
