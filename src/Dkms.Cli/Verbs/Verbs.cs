using Dkms.Cli.Commands;
using Dkms.Core.Commands;

namespace Dkms.Cli.Verbs;

/// <summary>dkmsctl's verbs: dkms's actions (DKMS-SPEC §2) and dkmsd's own, one row each.</summary>
internal static class Verbs
{
    /// <summary><c>status</c>: read in-process or from dkmsd's Status, never a command.</summary>
    public static readonly Verb Status = new("status", KernelArity.Any, AllowsAll: true, DaemonOnly: false, ToCommand: null, Help: "Show each module, version, kernel and arch and its state: added, built, installed.");

    /// <summary><c>preflight -k K</c>: dkmsd's Preflight RPC when it answers (and sees the headers named), else the engine in this process.</summary>
    public static readonly Verb Preflight = new("preflight", KernelArity.ExactlyOne, AllowsAll: false, DaemonOnly: false, ToCommand: null,
        Help: "Before a kernel is booted: for each AUTOINSTALL module, whether it is installed, cached, buildable (a dry build in the sandbox) or failing; exit 1 when one would fail.");

    /// <summary>Every verb, in the order the man page lists them.</summary>
    public static readonly IReadOnlyList<Verb> All =
    [
        new("add", KernelArity.Any, AllowsAll: false, DaemonOnly: false, CommandBuilder.Add, Help: "Register a module's source (/usr/src/<module>-<version>, a directory or a dkms.conf) in the dkms tree."),
        new("build", KernelArity.Any, AllowsAll: false, DaemonOnly: false, a => CommandBuilder.Build(a, install: false), Help: "Build a module for a kernel (adds it first when given a source)."),
        new("install", KernelArity.Any, AllowsAll: false, DaemonOnly: false, a => CommandBuilder.Build(a, install: true), Help: "Build if needed, then install a module into a kernel's module tree and run depmod."),
        new("uninstall", KernelArity.Any, AllowsAll: true, DaemonOnly: false, a => CommandBuilder.Removal(a, DkmsAction.Uninstall), Help: "Remove a module from a kernel's module tree, putting back the original it replaced."),
        new("unbuild", KernelArity.Any, AllowsAll: true, DaemonOnly: false, a => CommandBuilder.Removal(a, DkmsAction.Unbuild), Help: "Uninstall, then remove the built module for a kernel."),
        new("remove", KernelArity.Any, AllowsAll: true, DaemonOnly: false, a => CommandBuilder.Removal(a, DkmsAction.Remove), Help: "Uninstall and unbuild for the kernels given (or --all), and unregister the version when none is left."),
        new("autoinstall", KernelArity.AtMostOne, AllowsAll: false, DaemonOnly: false, CommandBuilder.Autoinstall, Help: "Build and install every AUTOINSTALL module for a kernel, in dependency order."),
        new("kernel_postinst", KernelArity.ExactlyOne, AllowsAll: false, DaemonOnly: false, CommandBuilder.Autoinstall, Help: "What a kernel package's postinst runs: autoinstall for that kernel."),
        new("kernel_prerm", KernelArity.ExactlyOne, AllowsAll: false, DaemonOnly: false, a => CommandBuilder.KernelRemoval(a, onlyAutoinstall: false), Help: "What a kernel package's prerm runs: uninstall every module from that kernel."),
        new("kernel_preinst", KernelArity.ExactlyOne, AllowsAll: false, DaemonOnly: false, a => CommandBuilder.KernelRemoval(a, onlyAutoinstall: true), Help: "What a kernel package's preinst runs: uninstall the AUTOINSTALL modules of a kernel about to be replaced."),
        new("match", KernelArity.AtMostOne, AllowsAll: false, DaemonOnly: false, CommandBuilder.Match, Help: "Install, for a kernel, the same modules as are installed for --templatekernel."),
        new("mktarball", KernelArity.Any, AllowsAll: true, DaemonOnly: false, CommandBuilder.MkTarball, Help: "Write a module's source and builds into a tarball."),
        new("ldtarball", KernelArity.Any, AllowsAll: true, DaemonOnly: false, CommandBuilder.LdTarball, Help: "Load a module's source and builds from a tarball made by mktarball."),
        new("generate_mok", KernelArity.Any, AllowsAll: true, DaemonOnly: false, _ => new GenerateMokCommand(), Help: "Create the MOK key pair modules are signed with, when it does not exist."),
        Status,
        Preflight,
        new("jobs", KernelArity.Any, AllowsAll: true, DaemonOnly: true, ToCommand: null, Help: "dkmsd: list queued, running and finished jobs."),
        new("watch", KernelArity.Any, AllowsAll: true, DaemonOnly: true, ToCommand: null, Help: "dkmsd: follow jobs and module changes as they happen."),
        new("logs", KernelArity.Any, AllowsAll: true, DaemonOnly: true, ToCommand: null, Help: "dkmsd: print a job's log (-f to follow it)."),
        new("cancel", KernelArity.Any, AllowsAll: true, DaemonOnly: true, ToCommand: null, Help: "dkmsd: cancel a queued or running job."),
    ];

    private static readonly Dictionary<string, Verb> ByName = All.ToDictionary(v => v.Name, StringComparer.Ordinal);

    /// <summary>The verb <paramref name="word"/> names, or null when it is not an action word.</summary>
    public static Verb? Find(string word) => ByName.GetValueOrDefault(word);
}
