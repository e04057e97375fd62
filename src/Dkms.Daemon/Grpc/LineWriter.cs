using System.Text;
using Dkms.Protocol.V1;
using Google.Protobuf.WellKnownTypes;

namespace Dkms.Daemon.Grpc;

/// <summary>
/// One output stream cut into lines at each flush (<see cref="Core.Output.DkmsOutput"/> flushes after every
/// message); text left without a newline is sent with <c>no_newline</c>. Without <paramref name="time"/> lines carry no time.
/// </summary>
internal sealed class LineWriter(OutputStream stream, Action<OutputLine> sink, TimeProvider? time, string jobId) : TextWriter
{
    private readonly StringBuilder _pending = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value) => _pending.Append(value);

    public override void Write(string? value) => _pending.Append(value);

    public override void Flush()
    {
        if (_pending.Length == 0)
        {
            return;
        }

        var text = _pending.ToString();
        _pending.Clear();
        var now = time is null ? null : Timestamp.FromDateTimeOffset(time.GetUtcNow());
        var start = 0;
        while (start < text.Length)
        {
            var nl = text.IndexOf('\n', start);
            var end = nl < 0 ? text.Length : nl;
            sink(new OutputLine { Stream = stream, Text = text[start..end], NoNewline = nl < 0, JobId = jobId, Time = now });
            start = end + 1;
        }
    }
}
