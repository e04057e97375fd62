using Dkms.Core.Platform;
using Dkms.Core.Validation;

namespace Dkms.Protocol.Execution;

/// <summary>Conversions between the engine's types and the contract's.</summary>
public static class ProtoMapping
{
    /// <summary>Validated kernel targets; an empty arch is the machine's (as <c>-k kernel</c> without <c>/arch</c>).</summary>
    public static List<Core.Actions.KernelTarget> Targets(IEnumerable<V1.KernelTarget> kernels) =>
        kernels.Select(Target).ToList();

    /// <summary>One validated kernel target; an empty arch is the machine's.</summary>
    public static Core.Actions.KernelTarget Target(V1.KernelTarget k) => new(
        NameValidator.Require(k.Kernel, "kernel version"),
        NameValidator.Require(k.Arch.Length > 0 ? k.Arch : SystemInfo.MachineArch(), "arch"));

    /// <summary>
    /// The kernels of a request; an empty kernel, or none at all, is the running kernel of the machine that
    /// runs the engine (<c>-a arch</c> alone names the running kernel's arch).
    /// </summary>
    public static List<Core.Actions.KernelTarget> TargetsOrRunning(IReadOnlyCollection<V1.KernelTarget> kernels, string runningKernel) =>
        kernels.Count > 0
            ? kernels.Select(k => Target(k.Kernel.Length > 0 ? k : new V1.KernelTarget { Kernel = runningKernel, Arch = k.Arch })).ToList()
            : [Target(new V1.KernelTarget { Kernel = runningKernel })];

    public static V1.KernelTarget ToProto(Core.Actions.KernelTarget t) => new() { Kernel = t.Kernel, Arch = t.Arch };

    public static V1.ModuleRef ToProto(Core.Actions.ModuleRef mv) => new() { Name = mv.Module, Version = mv.Version };

    /// <summary>The engine's per-request options.</summary>
    public static Core.Actions.ActionOptions ToCore(V1.ActionOptions? o, bool allKernels = false) => o is null
        ? new Core.Actions.ActionOptions { AllKernels = allKernels }
        : new Core.Actions.ActionOptions
        {
            Force = o.Force,
            ForceVersionOverride = o.ForceVersionOverride,
            NoDepmod = o.NoDepmod,
            KernelSourceDir = Empty(o.KernelSourceDir),
            KernelConfig = Empty(o.KernelConfig),
            ConfFile = Empty(o.ConfFile),
            Directives = [.. o.Directives],
            AllKernels = allKernels,
        };

    /// <summary>The settings a request changes for itself: <c>-j</c>, <c>--verbose</c>, <c>--symlink-modules</c>, <c>--modprobe-on-install</c>.</summary>
    public static Core.Configuration.DkmsSettings Apply(Core.Configuration.DkmsSettings settings, V1.ActionOptions? o)
    {
        if (o is null)
        {
            return settings;
        }

        return settings with
        {
            ParallelJobs = o.HasParallelJobs ? (o.ParallelJobs == 0 ? null : (int)o.ParallelJobs) : settings.ParallelJobs,
            Verbose = settings.Verbose || o.Verbose,
            SymlinkModules = settings.SymlinkModules || o.SymlinkModules,
            ModprobeOnInstall = settings.ModprobeOnInstall || o.ModprobeOnInstall,
        };
    }

    public static V1.StatusEntry ToProto(Core.Status.StatusEntry e)
    {
        var entry = new V1.StatusEntry
        {
            Module = new V1.ModuleRef { Name = e.Module, Version = e.Version },
            State = e.State switch
            {
                Core.Status.ModuleState.Added => V1.ModuleState.Added,
                Core.Status.ModuleState.Built => V1.ModuleState.Built,
                Core.Status.ModuleState.Installed => V1.ModuleState.Installed,
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

    /// <summary>A status entry back in the engine's form (for <c>status --json</c> from dkmsd's answer).</summary>
    public static Core.Status.StatusEntry ToCore(V1.StatusEntry e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var state = e.State switch
        {
            V1.ModuleState.Added => Core.Status.ModuleState.Added,
            V1.ModuleState.Built => Core.Status.ModuleState.Built,
            V1.ModuleState.Installed => Core.Status.ModuleState.Installed,
            _ => Core.Status.ModuleState.Broken,
        };
        return new Core.Status.StatusEntry(e.Module.Name, e.Module.Version, e.Target?.Kernel, e.Target?.Arch, state,
            [.. e.Notes.Select(n => $"({n})")]);
    }

    private static string? Empty(string value) => value.Length == 0 ? null : value;
}
