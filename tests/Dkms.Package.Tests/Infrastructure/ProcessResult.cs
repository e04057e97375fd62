namespace Dkms.Package.Tests.Infrastructure;

/// <summary>How a process (on the host, or inside a container) ended.</summary>
internal sealed record ProcessResult(int ExitCode, string Stdout, string Stderr, TimeSpan Duration)
{
    /// <summary>Both streams, stdout first: what a person would have seen, minus the interleaving.</summary>
    public string Output => Stderr.Length == 0 ? Stdout : Stdout + Stderr;

    /// <summary>The last lines of both streams, for failure messages.</summary>
    public string Tail(int lines = 40)
    {
        var all = Output.Split('\n');
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
    }

    public override string ToString() => $"exit {ExitCode} after {Duration.TotalSeconds:F1} s\n{Tail()}";
}
