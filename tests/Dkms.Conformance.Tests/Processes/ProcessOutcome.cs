namespace Dkms.Conformance.Tests.Processes;

/// <summary>How one child process ended: exit code, both streams, wall time, and whether it was killed.</summary>
internal sealed record ProcessOutcome(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed, bool TimedOut)
{
    /// <summary>Exit code shown when the process was killed for running past its time limit.</summary>
    public const int KilledExitCode = -1;

    public bool Succeeded => !TimedOut && ExitCode == 0;

    /// <summary>The last lines of both streams, for a failure message.</summary>
    public string Tail(int lines = 15)
    {
        static string Last(string text, int n) =>
            string.Join('\n', text.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(n));
        return $"--- stdout (tail) ---\n{Last(Stdout, lines)}\n--- stderr (tail) ---\n{Last(Stderr, lines)}";
    }
}
