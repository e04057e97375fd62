using Dkms.Core.Output;
using Dkms.Protocol.V1;

namespace Dkms.Daemon.Grpc;

/// <summary>
/// A <see cref="DkmsOutput"/> whose two streams become <see cref="OutputLine"/>s, in the order the engine
/// wrote them, so a client can print exactly what the in-process engine prints.
/// </summary>
internal sealed class OutputCapture
{
    /// <param name="messages">The daemon's profile's words; dkms 3.0.10's when null.</param>
    public OutputCapture(Action<OutputLine> sink, TimeProvider? time, bool verbose = false, string jobId = "", DkmsMessages? messages = null)
    {
        Output = new DkmsOutput(new LineWriter(OutputStream.Stdout, sink, time, jobId), new LineWriter(OutputStream.Stderr, sink, time, jobId), verbose,
            messages);
    }

    public DkmsOutput Output { get; }

    /// <summary>A capture that collects the lines into <paramref name="lines"/>, without times (a status answer's lines).</summary>
    public static OutputCapture Into(ICollection<OutputLine> lines, DkmsMessages? messages = null) => new(line =>
    {
        lock (lines)
        {
            lines.Add(line);
        }
    }, time: null, messages: messages);
}
