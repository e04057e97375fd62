namespace Dkms.Conformance.Tests.Runs;

/// <summary>What one implementation did with one package: add, install, status, and the trees afterwards.</summary>
/// <param name="Label">dkmsctl or dkms.</param>
/// <param name="ExitCode">The exit code of <c>install</c>, or of <c>add</c> when add already failed.</param>
/// <param name="Module">The module name found in the dkms tree after <c>add</c>, or null.</param>
/// <param name="Version">The module version found in the dkms tree after <c>add</c>, or null.</param>
/// <param name="StatusLines">stdout of <c>status</c>, tree paths normalised.</param>
/// <param name="InstalledFiles">Every file under <c>&lt;install tree&gt;/&lt;k&gt;</c> (relative; depmod's output included).</param>
/// <param name="InstalledModules">The kernel module files among <paramref name="InstalledFiles"/>.</param>
/// <param name="BuiltModules">Names (no extension) of the .ko files kept in the dkms tree, outside any build directory.</param>
/// <param name="ShieldWrites">Files written to the shielded /var/lib/dkms and /lib/modules.</param>
/// <param name="Diagnostics">Output tails and make.log tail, for a failure message.</param>
internal sealed record RunResult(
    string Label,
    int ExitCode,
    string? Module,
    string? Version,
    IReadOnlyList<string> StatusLines,
    IReadOnlyList<string> InstalledFiles,
    IReadOnlyList<string> InstalledModules,
    IReadOnlyList<string> BuiltModules,
    IReadOnlyList<string> ShieldWrites,
    TimeSpan Elapsed,
    string Diagnostics)
{
    public bool Succeeded => ExitCode == 0;
}
