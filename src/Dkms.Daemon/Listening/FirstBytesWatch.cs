using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace Dkms.Daemon.Listening;

/// <summary>
/// Closes a connection that sends nothing at all within <see cref="UnixSocketListening.IdleTimeout"/>. Kestrel's own
/// keep-alive timeout only starts once the HTTP/2 preface has arrived, so a connect-and-wait would otherwise hold a
/// descriptor for as long as its owner likes.
/// </summary>
internal sealed class FirstBytesWatch : PipeReader
{
    private readonly PipeReader _inner;
    private volatile bool _sawData;

    private FirstBytesWatch(PipeReader inner) => _inner = inner;

    /// <summary>Wraps the connection's input; the returned registration aborts it when nothing arrived in time.</summary>
    public static IDisposable Arm(ConnectionContext connection, TimeSpan timeout, TimeProvider time)
    {
        var watch = new FirstBytesWatch(connection.Transport.Input);
        connection.Transport = new Duplex(watch, connection.Transport.Output);
        return time.CreateTimer(_ =>
        {
            if (!watch._sawData)
            {
                connection.Abort(new ConnectionAbortedException("No request within the idle timeout."));
            }
        }, null, timeout, Timeout.InfiniteTimeSpan);
    }

    public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        var result = await _inner.ReadAsync(cancellationToken).ConfigureAwait(false);
        Saw(result);
        return result;
    }

    public override bool TryRead(out ReadResult result)
    {
        var read = _inner.TryRead(out result);
        if (read)
        {
            Saw(result);
        }

        return read;
    }

    public override void AdvanceTo(SequencePosition consumed) => _inner.AdvanceTo(consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => _inner.AdvanceTo(consumed, examined);

    public override void CancelPendingRead() => _inner.CancelPendingRead();

    public override void Complete(Exception? exception = null) => _inner.Complete(exception);

    private void Saw(ReadResult result)
    {
        if (!result.Buffer.IsEmpty)
        {
            _sawData = true;
        }
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;

        public PipeWriter Output => output;
    }
}
