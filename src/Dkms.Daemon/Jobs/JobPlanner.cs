using Dkms.Core.Platform;
using Dkms.Protocol.V1;

namespace Dkms.Daemon.Jobs;

/// <summary>
/// The jobs a request names before it runs: one per (module, version, kernel, arch) for a module on named
/// kernels, else one job with what is known (a module, or a kernel for autoinstall). Units the engine
/// reaches later that no planned job covers get jobs of their own (autoinstall's modules, <c>--all</c>).
/// </summary>
internal static class JobPlanner
{
    public static List<JobKey> Plan(ActionRequest r, string runningKernel)
    {
        return r.ActionCase switch
        {
            ActionRequest.ActionOneofCase.Add => [Module(r.Add.Module)],
            ActionRequest.ActionOneofCase.Build => PerKernel(r.Build.Module, r.Build.Kernels, runningKernel),
            ActionRequest.ActionOneofCase.Install => PerKernel(r.Install.Module, r.Install.Kernels, runningKernel),
            ActionRequest.ActionOneofCase.Uninstall => Removal(r.Uninstall, runningKernel),
            ActionRequest.ActionOneofCase.Unbuild => Removal(r.Unbuild, runningKernel),
            ActionRequest.ActionOneofCase.Remove => Removal(r.Remove, runningKernel),
            ActionRequest.ActionOneofCase.Autoinstall => [Kernel(r.Autoinstall.Kernel, runningKernel)],
            ActionRequest.ActionOneofCase.RemoveKernel => [Kernel(r.RemoveKernel.Kernel, runningKernel)],
            ActionRequest.ActionOneofCase.Match => [Kernel(r.Match.Kernel, runningKernel)],
            ActionRequest.ActionOneofCase.MkTarball => [Module(r.MkTarball.Module)],
            _ => [new JobKey()],
        };
    }

    /// <summary>True when a unit of work (module on kernel) is this planned key, or can take it over.</summary>
    public static bool Covers(JobKey planned, JobKey unit) =>
        (planned.Module.Length == 0 || planned.Module == unit.Module)
        && (planned.Version.Length == 0 || planned.Version == unit.Version)
        && planned.Kernel == unit.Kernel && planned.Arch == unit.Arch;

    /// <summary>A planned job without a kernel (an m/v, or nothing yet) that the first unit may claim.</summary>
    public static bool Claimable(JobKey planned, JobKey unit) =>
        planned.Kernel.Length == 0 && (planned.Module.Length == 0 || planned.Module == unit.Module);

    private static List<JobKey> PerKernel(ModuleRef? module, Google.Protobuf.Collections.RepeatedField<KernelTarget> kernels, string runningKernel)
    {
        if (module is null || module.Name.Length == 0)
        {
            return [new JobKey()];
        }

        var list = kernels.Count == 0 ? [new KernelTarget()] : kernels.ToList();
        return list.Select(k => Key(module, k, runningKernel)).ToList();
    }

    private static List<JobKey> Removal(ModuleActionRequest r, string runningKernel) =>
        r.All ? [Module(r.Module)] : PerKernel(r.Module, r.Kernels, runningKernel);

    private static JobKey Module(ModuleRef? m) => new() { Module = m?.Name ?? string.Empty, Version = m?.Version ?? string.Empty };

    private static JobKey Kernel(KernelTarget? k, string runningKernel) => Key(null, k ?? new KernelTarget(), runningKernel);

    private static JobKey Key(ModuleRef? m, KernelTarget k, string runningKernel) => new()
    {
        Module = m?.Name ?? string.Empty,
        Version = m?.Version ?? string.Empty,
        Kernel = k.Kernel.Length > 0 ? k.Kernel : runningKernel,
        Arch = k.Arch.Length > 0 ? k.Arch : SystemInfo.MachineArch(),
    };
}
