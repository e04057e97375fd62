using Dkms.Core.Platform;
using Dkms.Core.Validation;
using Dkms.Daemon.Authorization;
using CoreStatus = Dkms.Core.Status;
using V1 = Dkms.Protocol.V1;

namespace Dkms.Daemon.Grpc;

/// <summary>Conversions between the engine's types and the contract's.</summary>
internal static class ProtoMapping
{
    /// <summary>Validated kernel targets; an empty arch is the machine's (as <c>-k kernel</c> without <c>/arch</c>).</summary>
    public static List<Core.Actions.KernelTarget> Targets(IEnumerable<V1.KernelTarget> kernels) =>
        kernels.Select(k => new Core.Actions.KernelTarget(
            NameValidator.Require(k.Kernel, "kernel version"),
            NameValidator.Require(k.Arch.Length > 0 ? k.Arch : SystemInfo.MachineArch(), "arch"))).ToList();

    public static V1.StatusEntry ToProto(CoreStatus.StatusEntry e)
    {
        var entry = new V1.StatusEntry
        {
            Module = new V1.ModuleRef { Name = e.Module, Version = e.Version },
            State = e.State switch
            {
                CoreStatus.ModuleState.Added => V1.ModuleState.Added,
                CoreStatus.ModuleState.Built => V1.ModuleState.Built,
                CoreStatus.ModuleState.Installed => V1.ModuleState.Installed,
                _ => V1.ModuleState.Broken,
            },
        };
        if (e.Kernel is not null)
        {
            entry.Target = new V1.KernelTarget { Kernel = e.Kernel, Arch = e.Arch ?? string.Empty };
        }

        entry.Notes.AddRange(e.Suffixes.Select(s => s.Trim('(', ')')));
        return entry;
    }

    public static V1.Caller ToProto(CallerCredentials? caller, bool mayModify) => caller is null
        ? new V1.Caller { MayModify = mayModify }
        : new V1.Caller { Uid = caller.Uid, Gid = caller.Gid, Pid = caller.Pid, MayModify = mayModify };
}
