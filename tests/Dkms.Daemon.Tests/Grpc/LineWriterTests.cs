using Dkms.Daemon.Grpc;
using Dkms.Protocol.V1;

namespace Dkms.Daemon.Tests.Grpc;

public sealed class LineWriterTests
{
    [Fact]
    public void Output_ErrorAndProgress_LinesInOrderWithStreams()
    {
        var lines = new List<OutputLine>();
        var capture = OutputCapture.Into(lines, TimeProvider.System);

        capture.Output.Text("Cleaning build area...");
        capture.Output.Line("(bad exit status: 2)");
        capture.Output.Error("first", "second");

        Assert.Equal(
            [
                (OutputStream.Stdout, "Cleaning build area...", true),
                (OutputStream.Stdout, "(bad exit status: 2)", false),
                (OutputStream.Stderr, "Error! first", false),
                (OutputStream.Stderr, "second", false),
            ],
            lines.Select(l => (l.Stream, l.Text, l.NoNewline)));
    }

    [Fact]
    public void Output_Replayed_ReproducesTheWrittenText()
    {
        var lines = new List<OutputLine>();
        var capture = OutputCapture.Into(lines, TimeProvider.System);

        capture.Output.Text("a...");
        capture.Output.Line(" b");
        capture.Output.Line();
        capture.Output.Line("c");

        Assert.Equal("a... b\n\nc\n", string.Concat(lines.Select(l => l.Text + (l.NoNewline ? string.Empty : "\n"))));
    }
}
