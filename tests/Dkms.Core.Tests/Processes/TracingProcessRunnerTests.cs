using Dkms.Core.Output;
using Dkms.Core.Processes;

namespace Dkms.Core.Tests.Processes;

/// <summary>--debug's trace lines: one line per program, quoted as bash would need, long scripts cut.</summary>
public sealed class TracingProcessRunnerTests
{
    [Fact]
    public void StartLine_DirectoryEnvironmentQuotingAndOutputFile()
    {
        var spec = new ProcessSpec("bash", ["-c", "make KERNELRELEASE=6.1.0 -C '/lib/modules/x'"])
        {
            WorkingDirectory = "/var/lib/dkms/m/1.0/build",
            ExtraEnvironment = new Dictionary<string, string> { ["KERNEL_CC"] = "gcc-12", ["CC"] = "gcc 12" },
            OutputFile = "/var/lib/dkms/m/1.0/build/make.log",
        };

        Assert.Equal("+ [sandboxed] [in /var/lib/dkms/m/1.0/build] CC='gcc 12' KERNEL_CC=gcc-12 bash -c "
            + "'make KERNELRELEASE=6.1.0 -C '\\''/lib/modules/x'\\''' >> /var/lib/dkms/m/1.0/build/make.log",
            TracingProcessRunner.StartLine(spec, "sandboxed"));
    }

    [Fact]
    public void StartLine_LineBreaksEscaped_LongWordsCut()
    {
        var script = "echo a\n" + new string('x', 300);
        var line = TracingProcessRunner.StartLine(new ProcessSpec("bash", ["-c", script, ""]));

        Assert.DoesNotContain('\n', line);
        Assert.StartsWith("+ bash -c $'echo a\\nxxx", line, StringComparison.Ordinal);
        Assert.EndsWith($"'…({script.Length - TracingProcessRunner.LongestWord} more characters) ''", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_TracesOnStderrAroundTheRun_StdoutUntouched()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var runner = new TracingProcessRunner(ProcessRunner.Default, new DkmsOutput(stdout, stderr));

        var result = await runner.RunAsync(new ProcessSpec("sh", ["-c", "echo out; exit 3"]));

        Assert.Equal(3, result.ExitCode);
        Assert.Equal("out\n", result.Stdout);
        Assert.Equal(string.Empty, stdout.ToString());
        var lines = stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("+ sh -c 'echo out; exit 3'", lines[0]);
        Assert.Matches(@"^\+ sh: exit 3 after [0-9]+\.[0-9]{3} s$", lines[1]);
    }
}
