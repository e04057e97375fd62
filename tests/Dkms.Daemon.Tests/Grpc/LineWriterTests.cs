using Dkms.Daemon.Grpc;
using Dkms.Protocol.V1;

namespace Dkms.Daemon.Tests.Grpc;

public sealed class LineWriterTests
{
    [Fact]
    public void Output_ErrorAndProgress_LinesInOrderWithStreams()
    {
        var lines = new List<OutputLine>();
        var capture = new OutputCapture(lines.Add, TimeProvider.System);

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
        Assert.All(lines, l => Assert.NotNull(l.Time));
    }

    [Fact]
    public void Output_Replayed_ReproducesTheWrittenText()
    {
        var lines = new List<OutputLine>();
        var capture = new OutputCapture(lines.Add, TimeProvider.System);

        capture.Output.Text("a...");
        capture.Output.Line(" b");
        capture.Output.Line();
        capture.Output.Line("c");

        Assert.Equal("a... b\n\nc\n", string.Concat(lines.Select(l => l.Text + (l.NoNewline ? string.Empty : "\n"))));
    }

    [Fact]
    public void Into_StatusLines_CarryNoTime()
    {
        var lines = new List<OutputLine>();
        OutputCapture.Into(lines).Output.Line("m/1.0: added");

        Assert.Null(Assert.Single(lines).Time);
    }
}
