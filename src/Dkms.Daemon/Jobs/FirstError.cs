using System.Text.RegularExpressions;

namespace Dkms.Daemon.Jobs;

/// <summary>
/// The line a person wants first from a failed job: what the build sandbox refused it (the cause of whatever failed
/// next), else the compiler's first error, else dkms's <c>Error!</c> line.
/// </summary>
internal static partial class FirstError
{
    public static string Find(JobRecord record, string? buildLog, JobStore store)
    {
        var (lines, _, stop) = record.Follow(follow: false);
        stop();
        var output = (lines ?? store.ReadLines(record.Id)).Where(l => l.Stream != Protocol.V1.OutputStream.BuildLog).Select(l => l.Text).ToList();
        if (output.FirstOrDefault(t => t.StartsWith(Core.Sandbox.SandboxRefusal.Headline, StringComparison.Ordinal)) is { } refused)
        {
            return refused;
        }

        if (buildLog is not null && File.Exists(buildLog))
        {
            foreach (var (line, _) in LogLines.Read(buildLog))
            {
                if (CompilerError().IsMatch(line))
                {
                    return line.Trim();
                }
            }
        }

        return output.FirstOrDefault(t => t.StartsWith("Error! ", StringComparison.Ordinal)) ?? string.Empty;
    }

    /// <summary>gcc/clang (<c>file:line:col: error:</c>), ld and make's own failures.</summary>
    [GeneratedRegex(@"(: (fatal )?error: |: undefined reference to |^make(\[\d+\])?: \*\*\* )")]
    private static partial Regex CompilerError();
}
