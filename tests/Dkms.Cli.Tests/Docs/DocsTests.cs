using System.Diagnostics;
using Dkms.Cli.CommandLine;
using Dkms.Cli.Docs;
using Dkms.Tests.Shared;

namespace Dkms.Cli.Tests.Docs;

/// <summary>
/// dkmsctl's man page and completions: generated from the verb and option tables, committed under share/, naming every
/// verb and option the parser takes; the bash completion really completes in bash.
/// </summary>
public sealed class DocsTests
{
    public static TheoryData<string> Generated => ["share/man/dkmsctl.8", "share/bash-completion/dkmsctl", "share/zsh/_dkmsctl"];

    private static string Generate(string path) => path switch
    {
        "share/man/dkmsctl.8" => DkmsctlManPage.Text(),
        "share/bash-completion/dkmsctl" => CompletionScripts.Bash(),
        "share/zsh/_dkmsctl" => CompletionScripts.Zsh(),
        _ => throw new ArgumentException(path),
    };

    [Theory]
    [MemberData(nameof(Generated))]
    public void Committed_IsWhatTheTablesGenerate(string path) => Assert.Null(GeneratedDocs.Stale(path, Generate(path)));

    [Theory]
    [MemberData(nameof(Generated))]
    public void Each_NamesEveryVerbAndEverySpellingOfEveryOption(string path)
    {
        var text = Generate(path);
        var shown = path.EndsWith(".8", StringComparison.Ordinal) ? text.Replace("\\-", "-", StringComparison.Ordinal) : text;
        var missing = Verbs.Verbs.All.Select(v => v.Name).Concat(Options.All.SelectMany(o => o.Spellings))
            .Where(word => !shown.Contains(word, StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, $"{path} lacks: {string.Join(' ', missing)}");
    }

    [Fact]
    public void Options_EverySpellingIsTakenByTheParser()
    {
        foreach (var o in Options.All)
        {
            foreach (var spelling in o.Spellings)
            {
                var value = o.Value is null ? null : o.Name switch { "-j" => "2", "--directive" => "A=b", _ => "x" };
                var args = DkmsArgumentParser.Parse(value is null ? ["status", spelling] : ["status", spelling, value]);
                Assert.Equal("status", args.Action);
            }
        }

        Assert.Throws<UsageException>(() => DkmsArgumentParser.Parse(["status", "--not-an-option"]));
    }

    [Fact]
    public void Options_EachSpellingOnce() =>
        Assert.Equal(Options.All.SelectMany(o => o.Spellings).Count(), Options.All.SelectMany(o => o.Spellings).Distinct().Count());

    [Fact]
    public async Task BashCompletion_CompletesVerbsOptionsModulesAndKernelsInBash()
    {
        var tree = Directory.CreateTempSubdirectory("dkmsctl-completion-");
        try
        {
            Directory.CreateDirectory(Path.Combine(tree.FullName, "v4l2loopback", "0.12.7"));
            Directory.CreateDirectory(Path.Combine(tree.FullName, "acpi-call", "1.2.2"));
            var script = Path.Combine(tree.FullName, "dkmsctl.bash");
            await File.WriteAllTextAsync(script, CompletionScripts.Bash());

            Assert.Equal(["build"], await CompleteAsync(script, tree.FullName, "dkms", "bui"));
            Assert.Equal(["--force", "--force-version-override"], await CompleteAsync(script, tree.FullName, "dkms", "install", "--forc"));
            Assert.Equal(["v4l2loopback/0.12.7"], await CompleteAsync(script, tree.FullName, "dkms", "install", "-m", "v4l"));
            Assert.Equal(["acpi-call/1.2.2"], await CompleteAsync(script, tree.FullName, "dkmsctl", "remove", "acpi"));
            var kernels = Directory.Exists("/lib/modules") ? Directory.GetDirectories("/lib/modules").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList() : [];
            Assert.Equal(kernels, (await CompleteAsync(script, tree.FullName, "dkms", "build", "-k", string.Empty)).Order(StringComparer.Ordinal));
        }
        finally
        {
            tree.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task ZshCompletion_IsValidZsh()
    {
        var script = Path.Combine(Path.GetTempPath(), $"_dkmsctl-{Environment.ProcessId}");
        await File.WriteAllTextAsync(script, CompletionScripts.Zsh());
        try
        {
            var psi = new ProcessStartInfo("zsh", ["-n", script]) { RedirectStandardError = true };
            using var zsh = Process.Start(psi) ?? throw new InvalidOperationException("zsh is missing: scripts/prerequisites installs it");
            var errors = await zsh.StandardError.ReadToEndAsync();
            await zsh.WaitForExitAsync();
            Assert.True(zsh.ExitCode == 0, $"zsh -n: {errors}");
        }
        finally
        {
            File.Delete(script);
        }
    }

    /// <summary>Runs the completion function in a real bash for the words (the last is the one being completed).</summary>
    private static async Task<string[]> CompleteAsync(string script, string dkmsTree, params string[] words)
    {
        var psi = new ProcessStartInfo("bash", ["--norc", "--noprofile", "-c",
            "source \"$1\"; shift; COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); _dkmsctl; printf '%s\\n' \"${COMPREPLY[@]}\"", "complete", script, .. words])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.Environment["DKMS_TREE"] = dkmsTree;
        using var bash = Process.Start(psi)!;
        var output = await bash.StandardOutput.ReadToEndAsync();
        var errors = await bash.StandardError.ReadToEndAsync();
        await bash.WaitForExitAsync();
        Assert.True(bash.ExitCode == 0 && errors.Length == 0, $"bash: exit {bash.ExitCode}: {errors}");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
