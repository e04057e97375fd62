using System.Globalization;
using Dkms.Core.Actions;

namespace Dkms.Core.Output;

/// <summary>
/// Debian 12's dkms 3.0.10, word for word (<c>/usr/sbin/dkms</c>): what its functions echo, with its blank
/// lines, its streams and its three spellings of a module (<c>m-v</c>, <c>m/v</c>, <c>m v</c>).
/// </summary>
/// <remarks>
/// Where dkmsd does something 3.0.10 does not (locks, the broken state, build_timeout, its own safety checks),
/// the line is dkmsd's own; those members say so.
/// </remarks>
public partial class Dkms30Messages : DkmsMessages
{
    protected Dkms30Messages()
    {
    }

    public static Dkms30Messages Instance { get; } = new();

    public override string Version => "dkms-3.0.10";

    // error() and warn(): the prefix with `echo -n`, then one line per argument; no blank line before.
    public override string ErrorText(IReadOnlyList<string> lines) => "Error! " + Join(lines);

    public override string WarningText(IReadOnlyList<string> lines) => "Warning: " + Join(lines);

    public override string DeprecatedText(string what) => $"Deprecated feature: {what}\n";

    public override bool ProgressDots => true;

    public override string StepStarted(string description) => description + "...";

    public override string StepEnded(int exitCode) =>
        exitCode > 0 ? string.Create(CultureInfo.InvariantCulture, $"(bad exit status: {exitCode})") : string.Empty;

    /// <remarks>dkmsd's own (3.0.10 has no build_timeout).</remarks>
    public override string StepTimedOut(TimeSpan limit) =>
        string.Create(CultureInfo.InvariantCulture, $"(timed out after {limit.TotalSeconds:0} s)");

    public override string[] NotInTree(ModuleRef mv) =>
        [$"The module/version combo: {Dashed(mv)} is not located in the DKMS tree."];

    /// <remarks>dkmsd's own: 3.0.10 has no broken state (it says the module is not in the tree).</remarks>
    public override string[] Broken(ModuleRef mv) =>
        [$"{mv.Module}/{mv.Version} is broken!", "Missing the source directory or the symbolic link pointing to it.", "Manual intervention is required!"];

    /// <remarks>dkmsd's own, as <see cref="Broken"/>.</remarks>
    public override string[] BrokenStatus(string name, string version) =>
        [$"{name}/{version}: Missing the module source directory or the symbolic link pointing to it.", "Manual intervention is required!"];

    /// <remarks>dkmsd's own, as <see cref="Broken"/>.</remarks>
    public override string[] BrokenInAutoinstall(string name, string version) =>
        [$"{name}/{version} is broken! Missing the source directory or the symbolic link pointing to it.", "Manual intervention is required!"];

    /// <remarks>dkmsd's own: 3.0.10 takes no locks.</remarks>
    public override string WaitingForLock(string name) => $"Waiting for another dkms process working on module {name}...";

    /// <remarks>dkmsd's own: 3.0.10 refuses such a dkms.conf, dkmsd builds it (nothing to install).</remarks>
    public override string ZeroModules => "dkms.conf: Warning! Zero modules specified.";

    /// <remarks>dkmsd's own.</remarks>
    public override string[] KernelFailure(KernelTarget t, string message) => [$"{t}: {message}"];

    public override string[] NotRoot() => ["You must be root to use this command."];

    public override string[] NotRootForForce() => ["You must be root to use this command with the --force option."];

    public override string[] NoWriteAccess(string tree) => [$"No write access to DKMS tree at {tree}"];

    public override string[] ModuleArgumentsMissing(string action) =>
    [
        "Arguments <module> and <module-version> are not specified.",
        $"Usage: {action} <module>/<module-version> or",
        $"       {action} -m <module>/<module-version> or",
        $"       {action} -m <module> -v <module-version>",
    ];

    /// <remarks>dkmsd's own (its protocol).</remarks>
    public override string[] NoActionInRequest() => ["The request names no action."];

    // run_build_script: `echo ""` before either line.
    public override void RunningScript(DkmsOutput o, string type)
    {
        o.Line();
        o.Line($"Running the {type} script:");
    }

    public override void ScriptNotExecutable(DkmsOutput o, string type)
    {
        o.Line();
        o.Warn($"The {type} script is not executable.");
    }

    /// <remarks>dkmsd's own: 3.0.10 ignores a failing PRE_BUILD or POST_BUILD.</remarks>
    public override string[] ScriptFailed(string type) => [$"The {type} script failed."];

    /// <remarks>dkmsd's own.</remarks>
    public override string[] ScriptNamesNothing(string directive) => [$"{directive} is set but names no script."];

    /// <remarks>dkmsd's own: 3.0.10 does not check its copies.</remarks>
    public override string[] CopyFailed(string source, string destination) => [$"Copying {source} to {destination} failed"];

    /// <remarks>dkmsd's own: 3.0.10 has no post_transaction.</remarks>
    public override string PostTransaction => "Executing post-transaction command";

    /// <summary>3.0.10's <c>$module-$module_version</c>.</summary>
    private static string Dashed(ModuleRef mv) => $"{mv.Module}-{mv.Version}";

    /// <summary>3.0.10's <c>$module $module_version</c> (the "Skipping..." lines).</summary>
    private static string Spaced(ModuleRef mv) => $"{mv.Module} {mv.Version}";

    private static string Join(IReadOnlyList<string> lines) => lines.Count == 0 ? string.Empty : string.Join('\n', lines) + "\n";
}
