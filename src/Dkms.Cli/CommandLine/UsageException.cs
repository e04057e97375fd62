namespace Dkms.Cli.CommandLine;

/// <summary>A command line dkms rejects: the message lines (printed after <c>Error! </c>), the usage text, and the exit code.</summary>
internal sealed class UsageException(int exitCode, params string[] lines) : Exception(string.Join('\n', lines))
{
    public int ExitCode { get; } = exitCode;

    public IReadOnlyList<string> Lines { get; } = lines;
}
