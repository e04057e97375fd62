using Dkms.Core.Output;
using Dkms.Protocol.V1;

namespace Dkms.Daemon.Grpc;

/// <summary>
/// A <see cref="DkmsOutput"/> whose two streams become <see cref="OutputLine"/>s, in the order the engine
/// wrote them, so a client can print exactly what the in-process engine prints.
/// </summary>
internal sealed class OutputCapture
{
    public OutputCapture(Action<OutputLine> sink, TimeProvider? time, bool verbose = false, string jobId = "")
    {
        Output = new DkmsOutput(new LineWriter(OutputStream.Stdout, sink, time, jobId), new LineWriter(OutputStream.Stderr, sink, time, jobId), verbose);
    }

    public DkmsOutput Output { get; }

    /// <summary>A capture that collects the lines into <paramref name="lines"/>, without times (a status answer's lines).</summary>
    public static OutputCapture Into(ICollection<OutputLine> lines) => new(line =>
    {
        lock (lines)
        {
            lines.Add(line);
        }
    }, time: null);
}
