namespace Dkms.Core.Processes;

/// <summary>What to run and how: one child process in a session (process group) of its own.</summary>
public sealed record ProcessSpec(string FileName, IReadOnlyList<string> Arguments)
{
    /// <summary>The working directory; null keeps the caller's.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>The whole environment of the child; null inherits ours.</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    /// <summary>Variables set on top of the inherited (or given) environment.</summary>
    public IReadOnlyDictionary<string, string>? ExtraEnvironment { get; init; }

    /// <summary>When set, stdout and stderr are appended to this file in order, nothing captured.</summary>
    public string? OutputFile { get; init; }

    /// <summary>The time the child and everything it starts may take; null is unbounded.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Called with the child's pid (also its process group and session id) once it runs.</summary>
    public Action<int>? OnStarted { get; init; }

    /// <summary>
    /// When set (and no <see cref="OutputFile"/>), the child's stderr is the same pipe as its stdout, so its
    /// lines arrive in the order it wrote them; all of them go to <see cref="OnStdout"/>.
    /// </summary>
    /// <remarks>Two pipes read by two threads cannot say which of two quick writes came first.</remarks>
    public bool MergeStderr { get; init; }

    /// <summary>Called for each stdout line when the output is captured (not with <see cref="OutputFile"/>).</summary>
    public Action<string>? OnStdout { get; init; }

    /// <summary>Called for each stderr line when the output is captured.</summary>
    public Action<string>? OnStderr { get; init; }
}
