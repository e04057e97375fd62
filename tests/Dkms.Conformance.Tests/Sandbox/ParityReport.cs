using System.Text;

namespace Dkms.Conformance.Tests.Sandbox;

/// <summary>
/// The sandbox parity table, rewritten to <see cref="ReportVariable"/> after every package (a partial run still leaves
/// a report). Shared by the test classes of one run.
/// </summary>
internal static class ParityReport
{
    /// <summary>Environment variable naming the markdown file the table is written to.</summary>
    public const string ReportVariable = "DKMSD_SANDBOX_PARITY_REPORT";

    private static readonly Lock RowsLock = new();
    private static readonly List<ParityRow> Rows = [];

    public static void Add(ParityRow row, string mode)
    {
        if (Environment.GetEnvironmentVariable(ReportVariable) is not { Length: > 0 } path)
        {
            return;
        }

        var text = new StringBuilder()
            .Append("# dkmsctl sandboxed (build_sandbox=\"bwrap\") vs unsandboxed (\"none\")\n\n")
            .Append(mode).Append("\n\n")
            .Append(ParityRow.TableHeader).Append('\n');
        lock (RowsLock)
        {
            Rows.Add(row);
            foreach (var r in Rows)
            {
                text.Append(r.ToTableRow()).Append('\n');
            }

            text.Append('\n').Append(Rows.Count(r => r.Same)).Append('/').Append(Rows.Count).Append(" packages the same.\n");
            File.WriteAllText(path, text.ToString());
        }
    }
}
