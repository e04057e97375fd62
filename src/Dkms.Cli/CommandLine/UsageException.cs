namespace Dkms.Cli.CommandLine;

/// <summary>A command line dkms rejects: the message, the usage text, and the exit code.</summary>
internal sealed class UsageException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
