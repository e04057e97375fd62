namespace Dkms.Core.Actions;

/// <summary>One command dkms runs as a step of an action (its <c>invoke_command</c>): the clean, make, depmod, a patch.</summary>
/// <param name="Description">What the step prints before it runs ("Cleaning build area", the make command, "depmod").</param>
/// <param name="Command">The bash command.</param>
/// <param name="WorkingDirectory">Where it runs (and where a guarded step records its process group).</param>
internal sealed record Step(string Description, string Command, string WorkingDirectory)
{
    /// <summary>The file the command's output is appended to (make.log); null for the terminal or, in the background, nowhere.</summary>
    public string? OutputFile { get; init; }

    /// <summary>dkms's "background" steps: dots while it runs, and its output is not shown.</summary>
    public bool Background { get; init; }

    /// <summary>What <c>--verbose</c> prints instead of the description; the command when null.</summary>
    public string? VerboseText { get; init; }

    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    /// <summary>
    /// Files the command uses outside its working directory (3.4's override script in the config dir): handed to bash
    /// as arguments, so a sandbox shows where they are.
    /// </summary>
    public IReadOnlyList<string> Uses { get; init; } = [];

    /// <summary>Record the running group in the working directory (a build dir), see <see cref="Processes.OrphanGuard"/>.</summary>
    public bool Guarded { get; init; } = true;
}
