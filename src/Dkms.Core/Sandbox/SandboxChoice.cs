using System.Collections.Concurrent;
using Dkms.Core.Framework;
using Dkms.Core.Errors;

namespace Dkms.Core.Sandbox;

/// <summary>
/// Which sandbox package code runs in, decided once per process and framework.conf value: <c>build_sandbox="bwrap"</c>
/// (the default when bubblewrap is installed), or <c>"none"</c> (as root, dkms's behaviour). A bwrap that cannot run
/// here (no user namespaces, a container without them) is an error naming bubblewrap's reason, not a silent fallback:
/// only <c>"none"</c> builds unsandboxed. One exception, said out loud: with build_sandbox unset, in a chroot (an image
/// being built, where the kernel refuses the user namespaces bubblewrap needs), package code runs as root, as dkms
/// runs it there, with a warning (<see cref="Warning"/>); <c>build_sandbox="bwrap"</c> refuses instead.
/// </summary>
public sealed record SandboxChoice(BuildSandbox? Sandbox, string Description, string? Problem)
{
    /// <summary>Said once per process when package code runs unsandboxed although the sandbox was not turned off.</summary>
    public string? Warning { get; init; }

    public const string Bwrap = "bwrap", None = "none";

    private static readonly ConcurrentDictionary<string, Lazy<Task<SandboxChoice>>> Chosen = new(StringComparer.Ordinal);

    /// <summary>The sandbox in effect for <paramref name="settings"/> (probed once per process).</summary>
    public static Task<SandboxChoice> ForAsync(DkmsSettings settings) =>
        Chosen.GetOrAdd(settings.BuildSandbox ?? string.Empty, kind => new Lazy<Task<SandboxChoice>>(() => ChooseAsync(kind))).Value;

    /// <summary>What <c>dkmsctl --version</c> and GetInfo say: "bwrap as dkms-build (uid 998)", "none (builds run as root)".</summary>
    public override string ToString() => Description;

    /// <summary>Throws dkms's configuration error when the configured sandbox cannot run here.</summary>
    public BuildSandbox? Require() =>
        Problem is null ? Sandbox
            : throw new DkmsException(DkmsErrorKind.FailedPrecondition, DkmsExitCode.BadConf,
                $"The build sandbox cannot run here: {Problem}",
                "Install bubblewrap and allow user namespaces, or set build_sandbox=\"none\" in framework.conf to build as root, as dkms does.");

    private static async Task<SandboxChoice> ChooseAsync(string kind)
    {
        if (kind == None)
        {
            return new SandboxChoice(null, "none (package code runs as root, as with dkms)", null);
        }

        if (kind.Length > 0 && kind != Bwrap)
        {
            return new SandboxChoice(null, $"unknown ({kind})", $"build_sandbox=\"{kind}\" is neither \"{Bwrap}\" nor \"{None}\".");
        }

        var user = BuildUser.Resolve();
        if (BuildSandbox.ForThisProcess(user) is not { } sandbox)
        {
            return kind == Bwrap
                ? new SandboxChoice(null, "bwrap (not installed)", "bubblewrap (bwrap) is not installed.")
                : new SandboxChoice(null, "none (bubblewrap is not installed; package code runs as root)", null);
        }

        var who = sandbox.DropTo is null ? "the calling user"
            : user.Exists ? $"{user.Name} (uid {user.Uid})" : $"uid {user.Uid} (no {user.Name} user; an unused id)";
        var problem = await sandbox.ProbeAsync().ConfigureAwait(false);
        if (problem is not null && kind.Length == 0 && Platform.ChrootCheck.InChroot("/proc", Platform.SystemInfo.IsRoot()))
        {
            return new SandboxChoice(null, "none (in a chroot, where bubblewrap cannot run; package code runs as root)", null)
            {
                Warning = $"Warning: in a chroot, the build sandbox cannot run ({problem.TrimEnd('.')}): dkms.conf, its scripts "
                    + "and make run as root, as with dkms. Set build_sandbox=\"bwrap\" in framework.conf to refuse instead.",
            };
        }

        return new SandboxChoice(problem is null ? sandbox : null, $"bwrap as {who}", problem);
    }
}
