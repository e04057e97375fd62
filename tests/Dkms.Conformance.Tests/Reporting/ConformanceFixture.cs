using System.Diagnostics;
using System.Text;
using Dkms.Conformance.Tests.Corpus;
using Dkms.Conformance.Tests.Host;
using Dkms.Conformance.Tests.Processes;
using Dkms.Conformance.Tests.Runs;

namespace Dkms.Conformance.Tests.Reporting;

/// <summary>
/// What every corpus case shares: the kernel, the two tools, the .deb cache, whether the mount shield
/// works, and the summary table (written to <see cref="ReportVariable"/> after every package, so a
/// partial run still leaves a report).
/// </summary>
public sealed class ConformanceFixture : IAsyncLifetime
{
    /// <summary>Environment variable naming the file the summary table is written to.</summary>
    public const string ReportVariable = "DKMSD_CONFORMANCE_REPORT";

    /// <summary>Environment variable that, when set, ignores an installed reference dkms (checks as CI would).</summary>
    public const string NoReferenceVariable = "DKMSD_CONFORMANCE_NO_REFERENCE";

    private static readonly TimeSpan UnameTimeout = TimeSpan.FromSeconds(10);

    private readonly List<SummaryRow> _rows = [];
    private readonly Lock _rowsLock = new();
    private readonly Stopwatch _clock = new();

    internal TestKernel Kernel { get; private set; } = null!;

    /// <summary><c>uname -m</c>, the arch in status lines.</summary>
    internal string Arch { get; private set; } = string.Empty;

    internal DebianCorpus Corpus { get; private set; } = null!;

    internal DkmsTool Ours { get; private set; } = null!;

    /// <summary>The reference dkms, or null when it is not installed or cannot be shielded.</summary>
    internal DkmsTool? Reference { get; private set; }

    /// <summary>Null when the mount shield works, else why not.</summary>
    internal string? ShieldProblem { get; private set; }

    /// <summary>One line saying what this run compares against.</summary>
    internal string Mode { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        _clock.Start();
        Kernel = TestKernel.Discover();
        var uname = await BoundedProcess.RunCheckedAsync("uname", ["-m"], UnameTimeout).ConfigureAwait(false);
        Arch = uname.Stdout.Trim();
        Corpus = new DebianCorpus();
        Ours = DkmsTool.Ours(DkmsctlBinary.Locate());
        ShieldProblem = await MountShield.ProbeAsync().ConfigureAwait(false);

        // The reference writes /var/lib/dkms and /lib/modules whatever its options say: never run it unshielded.
        var disabled = Environment.GetEnvironmentVariable(NoReferenceVariable) is { Length: > 0 };
        var reference = disabled ? null : DkmsTool.Reference();
        Reference = ShieldProblem is null ? reference : null;
        Mode = (disabled, reference, ShieldProblem) switch
        {
            (true, _, _) => $"reference: disabled by {NoReferenceVariable}, checking against ExpectedCorpus",
            (_, null, _) => $"reference: {DkmsTool.ReferencePath} not installed, checking against ExpectedCorpus",
            (_, _, { } why) => $"reference: {DkmsTool.ReferencePath} present but NOT run ({why}), checking against ExpectedCorpus",
            _ => $"reference: {DkmsTool.ReferencePath} in a private mount namespace",
        };
        Mode = $"kernel {Kernel.Version} (headers {Kernel.HeadersDir}), arch {Arch}; {Mode}; "
            + $"dkmsctl {(ShieldProblem is null ? "shielded" : "unshielded")}; .deb cache {Corpus.CacheDir}";
        Write(final: false);
    }

    public Task DisposeAsync()
    {
        _clock.Stop();
        Write(final: true);
        return Task.CompletedTask;
    }

    internal void Add(SummaryRow row)
    {
        lock (_rowsLock)
        {
            _rows.Add(row);
        }

        Write(final: false);
    }

    private void Write(bool final)
    {
        if (Environment.GetEnvironmentVariable(ReportVariable) is not { Length: > 0 } path)
        {
            return;
        }

        var text = new StringBuilder()
            .Append("# dkmsd conformance: Debian corpus, dkmsctl vs reference dkms\n\n")
            .Append(Mode).Append("\n\n")
            .Append(SummaryRow.TableHeader).Append('\n');
        lock (_rowsLock)
        {
            foreach (var row in _rows)
            {
                text.Append(row.ToTableRow()).Append('\n');
            }

            text.Append('\n')
                .Append(final ? "Total run time: " : "Running for: ")
                .Append(_clock.Elapsed.TotalSeconds.ToString("F0", System.Globalization.CultureInfo.InvariantCulture))
                .Append(" s; ")
                .Append(_rows.Count(r => r.Match)).Append('/').Append(_rows.Count).Append(" packages match.\n");
        }

        File.WriteAllText(path, text.ToString());
    }
}
