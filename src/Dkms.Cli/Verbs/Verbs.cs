using Dkms.Cli.Commands;
using Dkms.Core.Commands;

namespace Dkms.Cli.Verbs;

/// <summary>dkmsctl's verbs: dkms's actions (DKMS-SPEC §2) and dkmsd's own, one row each.</summary>
internal static class Verbs
{
    /// <summary><c>status</c>: read in-process or from dkmsd's Status, never a command.</summary>
    public static readonly Verb Status = new("status", KernelArity.Any, AllowsAll: true, DaemonOnly: false, ToCommand: null);

    /// <summary><c>preflight -k K</c>: a read (and dry builds), run by the engine in this process on the daemon's trees.</summary>
    public static readonly Verb Preflight = new("preflight", KernelArity.ExactlyOne, AllowsAll: false, DaemonOnly: false, ToCommand: null);

    private static readonly Verb[] All =
    [
        new("add", KernelArity.Any, AllowsAll: false, DaemonOnly: false, CommandBuilder.Add),
        new("build", KernelArity.Any, AllowsAll: false, DaemonOnly: false, a => CommandBuilder.Build(a, install: false)),
        new("install", KernelArity.Any, AllowsAll: false, DaemonOnly: false, a => CommandBuilder.Build(a, install: true)),
        new("uninstall", KernelArity.Any, AllowsAll: true, DaemonOnly: false, a => CommandBuilder.Removal(a, DkmsAction.Uninstall)),
        new("unbuild", KernelArity.Any, AllowsAll: true, DaemonOnly: false, a => CommandBuilder.Removal(a, DkmsAction.Unbuild)),
        new("remove", KernelArity.Any, AllowsAll: true, DaemonOnly: false, a => CommandBuilder.Removal(a, DkmsAction.Remove)),
        new("autoinstall", KernelArity.AtMostOne, AllowsAll: false, DaemonOnly: false, CommandBuilder.Autoinstall),
        new("kernel_postinst", KernelArity.ExactlyOne, AllowsAll: false, DaemonOnly: false, CommandBuilder.Autoinstall),
        new("kernel_prerm", KernelArity.ExactlyOne, AllowsAll: false, DaemonOnly: false, a => CommandBuilder.KernelRemoval(a, onlyAutoinstall: false)),
        new("kernel_preinst", KernelArity.ExactlyOne, AllowsAll: false, DaemonOnly: false, a => CommandBuilder.KernelRemoval(a, onlyAutoinstall: true)),
        new("match", KernelArity.AtMostOne, AllowsAll: false, DaemonOnly: false, CommandBuilder.Match),
        new("mktarball", KernelArity.Any, AllowsAll: true, DaemonOnly: false, CommandBuilder.MkTarball),
        new("ldtarball", KernelArity.Any, AllowsAll: true, DaemonOnly: false, CommandBuilder.LdTarball),
        new("generate_mok", KernelArity.Any, AllowsAll: true, DaemonOnly: false, _ => new GenerateMokCommand()),
        Status,
        Preflight,
        new("jobs", KernelArity.Any, AllowsAll: true, DaemonOnly: true, ToCommand: null),
        new("watch", KernelArity.Any, AllowsAll: true, DaemonOnly: true, ToCommand: null),
        new("logs", KernelArity.Any, AllowsAll: true, DaemonOnly: true, ToCommand: null),
        new("cancel", KernelArity.Any, AllowsAll: true, DaemonOnly: true, ToCommand: null),
    ];

    private static readonly Dictionary<string, Verb> ByName = All.ToDictionary(v => v.Name, StringComparer.Ordinal);

    /// <summary>The verb <paramref name="word"/> names, or null when it is not an action word.</summary>
    public static Verb? Find(string word) => ByName.GetValueOrDefault(word);
}
