namespace Dkms.Core.Processes;

/// <summary>Starts the engine's child processes (make, depmod, modinfo, sign-file, hooks): the seam tests replace.</summary>
public interface IProcessRunner
{
    /// <summary>Runs one child as <paramref name="spec"/> says and reports how it ended.</summary>
    Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken cancellationToken = default);

    /// <summary>Runs <c>bash -c <paramref name="command"/></c> (one more shell expansion, as dkms's eval).</summary>
    Task<ProcessResult> RunShellAsync(string command, string? workingDirectory, string? outputFile, TimeSpan? timeout,
        IReadOnlyDictionary<string, string>? extraEnvironment = null, CancellationToken cancellationToken = default) =>
        RunAsync(new ProcessSpec("bash", ["-c", command])
        {
            WorkingDirectory = workingDirectory,
            OutputFile = outputFile,
            Timeout = timeout,
            ExtraEnvironment = extraEnvironment,
        }, cancellationToken);
}
