namespace Dkms.Cli.Tests.Infrastructure;

/// <summary>How one dkmsctl process ended.</summary>
internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public string All => Stdout + Stderr;

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}--- stderr\n{Stderr}";
}
