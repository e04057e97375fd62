using Dkms.Core.Actions;
using Dkms.Core.Framework;

namespace Dkms.Core.Commands;

/// <summary>
/// A command's options: those the engine takes per action, and those that change the settings for this command
/// only (<c>-j</c>, <c>--verbose</c>, <c>--debug</c>, <c>--symlink-modules</c>, <c>--modprobe-on-install</c>; dkmsctl in-process
/// applies them when it loads framework.conf, dkmsd through <see cref="Apply"/>).
/// </summary>
public sealed record CommandOptions
{
    public static CommandOptions Default { get; } = new();

    public ActionOptions Engine { get; init; } = ActionOptions.Default;

    /// <summary><c>-j</c>: null keeps framework.conf's, 0 means unlimited.</summary>
    public int? ParallelJobs { get; init; }

    public bool Verbose { get; init; }

    /// <summary><c>--debug</c>: every program the command runs is traced on stderr.</summary>
    public bool Debug { get; init; }

    public bool SymlinkModules { get; init; }

    public bool ModprobeOnInstall { get; init; }

    /// <summary>The settings this command runs with.</summary>
    public DkmsSettings Apply(DkmsSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings with
        {
            ParallelJobs = ParallelJobs is { } jobs ? (jobs == 0 ? null : jobs) : settings.ParallelJobs,
            Verbose = settings.Verbose || Verbose,
            Debug = settings.Debug || Debug,
            SymlinkModules = settings.SymlinkModules || SymlinkModules,
            ModprobeOnInstall = settings.ModprobeOnInstall || ModprobeOnInstall,
        };
    }
}
