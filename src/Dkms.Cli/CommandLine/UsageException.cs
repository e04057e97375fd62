using Dkms.Core.Output;

namespace Dkms.Cli.CommandLine;

/// <summary>A command line dkms rejects: the message lines (printed after <c>Error! </c>), the usage text, and the exit code.</summary>
internal sealed class UsageException(int exitCode, params string[] lines) : Exception(string.Join('\n', lines))
{
    public int ExitCode { get; } = exitCode;

    public IReadOnlyList<string> Lines { get; } = lines;

    /// <summary>The lines in the chosen profile's words, when they depend on it (the parser runs before the profile is known).</summary>
    public Func<DkmsMessages, string[]>? Words { get; init; }

    /// <summary>The lines as <paramref name="messages"/> says them.</summary>
    public IReadOnlyList<string> LinesIn(DkmsMessages messages) => Words is { } words ? words(messages) : Lines;
}
