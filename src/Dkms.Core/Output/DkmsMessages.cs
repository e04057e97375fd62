using Dkms.Core.Actions;

namespace Dkms.Core.Output;

/// <summary>
/// The words of one dkms release: every line the engine prints, and the lines of every failure it reports.
/// The engine says what happens; a catalogue says it as its release does (which lines, which stream, which
/// blank lines, or nothing at all).
/// </summary>
/// <remarks>
/// <see cref="Default"/> is Debian 12's dkms 3.0.10 (<see cref="Dkms30Messages"/>), the only release implemented.
/// A profile that chooses another release hands its catalogue to <see cref="DkmsOutput"/>. Members that return
/// lines build a failure's message (printed after <c>Error! </c> or <c>Warning: </c>); members that take a
/// <see cref="DkmsOutput"/> print at once.
/// </remarks>
public abstract partial class DkmsMessages
{
    /// <summary>The words dkmsctl prints unless a profile chooses others: Debian 12's dkms 3.0.10.</summary>
    public static DkmsMessages Default => Dkms30Messages.Instance;

    /// <summary>What <c>dkms -V</c> prints for this release.</summary>
    public abstract string Version { get; }

    /// <summary>dkms's <c>error</c>: the text of a failure's lines on stderr.</summary>
    public abstract string ErrorText(IReadOnlyList<string> lines);

    /// <summary>dkms's <c>warn</c>: the text of a warning's lines on stderr.</summary>
    public abstract string WarningText(IReadOnlyList<string> lines);

    /// <summary>dkms's <c>deprecated</c>: the text for a deprecated option or directive.</summary>
    public abstract string DeprecatedText(string what);

    /// <summary>True when a long step prints a dot every few seconds after its "description...".</summary>
    public abstract bool ProgressDots { get; }

    /// <summary>What a step prints before it runs (dkms's <c>invoke_command</c>).</summary>
    public abstract string StepStarted(string description);

    /// <summary>What a step prints after it ran, before its newline.</summary>
    public abstract string StepEnded(int exitCode);

    /// <summary>What a step stopped by dkmsd's build_timeout prints, before its newline.</summary>
    public abstract string StepTimedOut(TimeSpan limit);

    /// <summary>The lines for a module/version that has no source link in the tree (exit 3).</summary>
    public abstract string[] NotInTree(ModuleRef mv);

    /// <summary>The lines for a module/version whose source is gone (exit 4).</summary>
    public abstract string[] Broken(ModuleRef mv);

    /// <summary>The error <c>status</c> prints under a broken module's line.</summary>
    public abstract string[] BrokenStatus(string name, string version);

    /// <summary>The error autoinstall prints for a broken module it passes over.</summary>
    public abstract string[] BrokenInAutoinstall(string name, string version);

    /// <summary>dkmsd's line while another process holds a module's lock.</summary>
    public abstract string WaitingForLock(string name);

    /// <summary>The line for a dkms.conf without any module record.</summary>
    public abstract string ZeroModules { get; }

    /// <summary>The lines for a file-system failure while acting on one kernel.</summary>
    public abstract string[] KernelFailure(KernelTarget t, string message);

    /// <summary>The lines for an action that needs root.</summary>
    public abstract string[] NotRoot();

    /// <summary>The lines for <c>ldtarball --force</c> run by another user.</summary>
    public abstract string[] NotRootForForce();

    /// <summary>The lines for a user who cannot write the dkms tree.</summary>
    public abstract string[] NoWriteAccess(string tree);

    /// <summary>The lines for an action given no module/version (<c>check_module_args</c>).</summary>
    public abstract string[] ModuleArgumentsMissing(string action);

    /// <summary>A request that names no action (dkmsd's protocol).</summary>
    public abstract string[] NoActionInRequest();

    /// <summary>Prints the start of a POST_ADD, PRE_/POST_BUILD, PRE_/POST_INSTALL or POST_REMOVE script.</summary>
    public abstract void RunningScript(DkmsOutput o, string type);

    /// <summary>The description of PRE_BUILD or POST_BUILD run as a logged step (3.2+).</summary>
    public virtual string RunningScriptStep(string type) => $"Running the {type} script";

    /// <summary>Prints the warning for a script that is not executable.</summary>
    public abstract void ScriptNotExecutable(DkmsOutput o, string type);

    /// <summary>The lines for a failed PRE_BUILD or POST_BUILD script.</summary>
    public abstract string[] ScriptFailed(string type);

    /// <summary>The lines for a script directive that names no script.</summary>
    public abstract string[] ScriptNamesNothing(string directive);

    /// <summary>The lines for a copy that failed.</summary>
    public abstract string[] CopyFailed(string source, string destination);

    /// <summary>The description of framework.conf's post_transaction command.</summary>
    public abstract string PostTransaction { get; }
}
