using System.Text;
using Dkms.Cli.Tests.Infrastructure;

namespace Dkms.Cli.Tests.Integration;

/// <summary>
/// A script's stdout and stderr lines come out in the order it wrote them, as they do from dkms (whose
/// scripts write straight to its terminal; upstream's tests merge both streams and compare the order).
/// </summary>
public sealed class ScriptOutputTests : IDisposable
{
    private const int Pairs = 200;

    private const string Noisy = """
        #!/bin/sh
        i=1
        while [ $i -le 200 ]; do
          echo "out $i"
          echo "err $i" >&2
          i=$((i + 1))
        done

        """;

    private readonly TestTrees _t = new();

    private static string Expected
    {
        get
        {
            var text = new StringBuilder();
            for (var i = 1; i <= Pairs; i++)
            {
                text.Append("out ").Append(i).Append('\n').Append("err ").Append(i).Append('\n');
            }

            return text.ToString();
        }
    }

    [Fact]
    public async Task Add_PostAddWritesBothStreams_LinesInTheScriptsOrder()
    {
        var mod = _t.Module("noisy").File_("noisy.sh", Noisy, executable: true).Conf("POST_ADD=\"noisy.sh\"");

        // Both streams of dkmsctl into one pipe, as a terminal (or upstream's run_test.sh) sees them.
        var r = await DkmsCtl.RunAsync(["-c", "exec \"$@\" 2>&1", "merged", DkmsCtl.Binary, .. _t.TreeArgs, "add", mod.Dir], program: "bash");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("Running the post_add script:\n" + Expected, r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_PreBuildWritesBothStreams_LinesInTheScriptsOrderNotInMakeLog()
    {
        var mod = _t.Module("noisybuild").File_("noisy.sh", Noisy, executable: true).Conf("PRE_BUILD=\"noisy.sh\"");

        var r = await DkmsCtl.RunAsync(["-c", "exec \"$@\" 2>&1", "merged", DkmsCtl.Binary, .. _t.TreeArgs, "-j", "2", "build", "-k", _t.Kernel, mod.Dir],
            program: "bash");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("\nRunning the pre_build script:\n" + Expected + "\nBuilding module:\n", r.Stdout, StringComparison.Ordinal);
        // dkms 3.0.10's make.log holds its header and make's output only.
        var log = await File.ReadAllTextAsync(Path.Combine(_t.BuiltDir("noisybuild", "1.0"), "log", "make.log"));
        Assert.DoesNotContain("out 1\n", log, StringComparison.Ordinal);
    }

    public void Dispose() => _t.Dispose();
}
