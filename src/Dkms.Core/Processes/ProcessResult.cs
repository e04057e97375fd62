namespace Dkms.Core.Processes;

/// <summary>How a child ended.</summary>
/// <param name="ExitCode">Its exit status (128+signal when killed, as a shell reports it).</param>
/// <param name="TimedOut">True when it was stopped because it ran past its time limit.</param>
/// <param name="Elapsed">Wall time from start to exit.</param>
/// <param name="Stdout">Captured standard output (empty when written to a file).</param>
/// <param name="Stderr">Captured standard error (empty when written to a file).</param>
public sealed record ProcessResult(int ExitCode, bool TimedOut, TimeSpan Elapsed, string Stdout, string Stderr)
{
    public bool Succeeded => ExitCode == 0 && !TimedOut;

    /// <summary>For a sandboxed step that failed: what the sandbox refused it, as its output says; else null.</summary>
    public Sandbox.SandboxRefusal? Refusal { get; init; }
}
