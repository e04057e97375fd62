using Dkms.Core.Processes;

namespace Dkms.Core.Tests.Processes;

/// <summary>What the runner keeps of a child's output stays bounded however much the child prints (issue 14, item 5).</summary>
public sealed class ProcessRunnerOutputTests
{
    private const long Printed = 100L * 1024 * 1024;

    [Theory]
    [InlineData("yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c 104857600")] // 100 MB in lines
    [InlineData("head -c 104857600 /dev/zero | tr '\\0' x")] // 100 MB, one line
    public async Task HundredMegabytesOnStdoutAndStderr_KeptTextAndLinesBounded(string printer)
    {
        long longestLine = 0;
        long lines = 0;
        var before = GC.GetTotalMemory(forceFullCollection: true);

        var result = await ProcessRunner.Default.RunAsync(new ProcessSpec("bash", ["-c", $"{printer}; {printer} >&2"])
        {
            OnStdout = l =>
            {
                Interlocked.Increment(ref lines);
                InterlockedMax(ref longestLine, l.Length);
            },
        });

        var retained = GC.GetTotalMemory(forceFullCollection: true) - before;
        Assert.Equal(0, result.ExitCode);
        Assert.True(result.Stdout.Length <= ProcessRunner.MaxCapturedChars + 100, $"stdout kept {result.Stdout.Length} chars");
        Assert.True(result.Stderr.Length <= ProcessRunner.MaxCapturedChars + 100, $"stderr kept {result.Stderr.Length} chars");
        Assert.Contains("bytes cut …]", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("bytes cut …]", result.Stderr, StringComparison.Ordinal);
        Assert.True(longestLine <= ProcessRunner.MaxLineChars + 40, $"a line of {longestLine} chars reached the callback");
        Assert.True(retained < 64L * 1024 * 1024, $"the result retained {retained} bytes for {Printed} printed");
        GC.KeepAlive(result);
        Assert.True(lines > 0);
    }

    [Fact]
    public async Task LongLine_CutWithMarkerCountingTheBytesLeftOut()
    {
        var result = await ProcessRunner.Default.RunAsync(new ProcessSpec("bash",
            ["-c", $"head -c {ProcessRunner.MaxLineChars + 1000} /dev/zero | tr '\\0' x; echo; echo next"]));

        var lines = result.Stdout.Split('\n');
        Assert.Equal(new string('x', ProcessRunner.MaxLineChars) + " [… 1000 bytes cut …]", lines[0]);
        Assert.Equal("next", lines[1]);
    }

    [Fact]
    public async Task SmallOutput_LinesAsBeforeIncludingCrAndLastLineWithoutNewline()
    {
        var seen = new List<string>();
        var result = await ProcessRunner.Default.RunAsync(new ProcessSpec("bash", ["-c", "printf 'a\\r\\nb\\rc\\n\\nlast'"])
        {
            OnStdout = seen.Add,
        });

        Assert.Equal(["a", "b", "c", string.Empty, "last"], seen);
        Assert.Equal("a\nb\nc\n\nlast\n", result.Stdout);
    }

    [Fact]
    public void BoundedText_KeepsHeadAndTailWithMarker()
    {
        var text = new BoundedText(40);
        for (var i = 0; i < 100; i++)
        {
            text.AppendLine($"line{i:D2}");
        }

        var kept = text.ToString();
        Assert.StartsWith("line00\nline01\n", kept, StringComparison.Ordinal);
        Assert.EndsWith("line98\nline99\n", kept, StringComparison.Ordinal);
        Assert.Contains("bytes cut …]\n", kept, StringComparison.Ordinal);
        Assert.True(kept.Length < 80, kept);
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long seen;
        while (value > (seen = Interlocked.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
