using Dkms.Core.Actions;
using Dkms.Core.Platform;
using Dkms.Core.Validation;

namespace Dkms.Core.Commands;

/// <summary>
/// A kernel target as given (<c>-k kernel/arch</c>, <c>-a arch</c>); an empty part is not given. The one place
/// that applies dkms's defaults: an empty kernel is the running kernel, an empty arch the machine's, and
/// <c>--all</c> every kernel/arch the module is built for. (Status is the exception: there a kernel without an
/// arch matches every arch, as dkms's glob does.)
/// </summary>
public sealed record TargetSpec(string Kernel, string Arch)
{
    /// <summary>
    /// The command line's kernels with their arches: <c>-k k/a</c>, else the one <c>-a</c>, else the <c>-a</c> at
    /// the same position; <c>-a</c> alone names the running kernel's arch.
    /// </summary>
    public static List<TargetSpec> Pair(IReadOnlyList<string> kernels, IReadOnlyList<string?> kernelArches, IReadOnlyList<string> arches)
    {
        if (kernels.Count == 0)
        {
            return arches.Count > 0 ? [new TargetSpec(string.Empty, arches[0])] : [];
        }

        return kernels.Select((k, i) => new TargetSpec(k,
            (i < kernelArches.Count ? kernelArches[i] : null) ?? (arches.Count == 1 ? arches[0] : arches.ElementAtOrDefault(i)) ?? string.Empty))
            .ToList();
    }

    /// <summary>This target on the machine that runs the engine, validated.</summary>
    public KernelTarget Resolve(string runningKernel)
    {
        var (kernel, arch) = Planned(runningKernel);
        return new KernelTarget(NameValidator.Require(kernel, "kernel version"), NameValidator.Require(arch, "arch"));
    }

    /// <summary>The targets of a command; none at all is the running kernel.</summary>
    public static List<KernelTarget> Resolve(IReadOnlyList<TargetSpec> specs, string runningKernel) =>
        specs.Count > 0 ? specs.Select(s => s.Resolve(runningKernel)).ToList() : [None.Resolve(runningKernel)];

    /// <summary>The one target of a command that takes one (null: the running kernel).</summary>
    public static KernelTarget Resolve(TargetSpec? spec, string runningKernel) => (spec ?? None).Resolve(runningKernel);

    /// <summary>The targets of a command that may say <c>--all</c>: then what <paramref name="built"/> lists when it runs.</summary>
    public static IReadOnlyList<KernelTarget> Resolve(IReadOnlyList<TargetSpec> specs, bool all, string runningKernel,
        Func<IReadOnlyList<KernelTarget>> built) =>
        all ? built() : Resolve(specs, runningKernel);

    /// <summary>The same defaults without validation: what a job is named after before its command runs.</summary>
    public (string Kernel, string Arch) Planned(string runningKernel) =>
        (Kernel.Length > 0 ? Kernel : runningKernel, Arch.Length > 0 ? Arch : SystemInfo.MachineArch());

    /// <summary>Status's form: a kernel without an arch stays without one (it matches every arch).</summary>
    public KernelTarget ForStatus() => new(NameValidator.Require(Kernel, "kernel version"),
        Arch.Length > 0 ? NameValidator.Require(Arch, "arch") : string.Empty);

    private static TargetSpec None { get; } = new(string.Empty, string.Empty);
}
