using Dkms.Core.Actions;
using Dkms.Core.Validation;

namespace Dkms.Core.Commands;

/// <summary>
/// The units a command will run, known before it runs: one per module/version and kernel for a module on named
/// kernels (or on every kernel it is built for, with <c>--all</c>), else one unit with what is known (a module; a
/// kernel for <c>autoinstall</c>, <c>match</c>, <c>kernel_prerm</c>, whose modules the engine finds as it runs).
/// </summary>
public static class CommandUnits
{
    /// <param name="command">The command.</param>
    /// <param name="runningKernel">The kernel an empty one means.</param>
    /// <param name="built">The kernel/arches m/v is built for now (for <c>--all</c>).</param>
    public static List<CommandUnit> Of(DkmsCommand command, string runningKernel, Func<ModuleRef, IReadOnlyList<KernelTarget>> built)
    {
        ArgumentNullException.ThrowIfNull(command);
        return command switch
        {
            AddCommand c => [Module(c.Module)],
            BuildCommand c when c.SourceDir is not null => [Module(null)], // its module is known once it is added
            BuildCommand c => PerKernel(c.Module, c.Targets, runningKernel),
            ModuleRemovalCommand c when c.All => All(c.Module, built),
            ModuleRemovalCommand c => PerKernel(c.Module, c.Targets, runningKernel),
            AutoinstallCommand c => [Kernel(c.Target, runningKernel)],
            KernelRemovalCommand c => [Kernel(c.Target, runningKernel)],
            MatchCommand c => [Kernel(c.Target, runningKernel)],
            MkTarballCommand c => [Module(c.Module)],
            _ => [Module(null)],
        };
    }

    private static List<CommandUnit> PerKernel(ModuleArg? module, IReadOnlyList<TargetSpec> targets, string runningKernel)
    {
        if (module is null || module.Name.Length == 0)
        {
            return [Module(null)];
        }

        IReadOnlyList<TargetSpec> specs = targets.Count == 0 ? [new TargetSpec(string.Empty, string.Empty)] : targets;
        return specs.Select(s => s.Planned(runningKernel)).Select(t => new CommandUnit(module.Name, module.Version, t.Kernel, t.Arch)).ToList();
    }

    /// <summary><c>--all</c>: each kernel m/v is built for now; the module itself when it is built for none (or is not valid).</summary>
    private static List<CommandUnit> All(ModuleArg? module, Func<ModuleRef, IReadOnlyList<KernelTarget>> built)
    {
        if (module is not { IsComplete: true } || NameValidator.Problem(module.Name) is not null || NameValidator.Problem(module.Version) is not null)
        {
            return [Module(module)]; // it fails as it runs, on this job
        }

        var mv = new ModuleRef(module.Name, module.Version);
        var targets = built(mv);
        return targets.Count > 0 ? targets.Select(t => CommandUnit.Of(mv, t)).ToList() : [Module(module)];
    }

    private static CommandUnit Module(ModuleArg? m) => new(m?.Name ?? string.Empty, m?.Version ?? string.Empty, string.Empty, string.Empty);

    private static CommandUnit Kernel(TargetSpec? t, string runningKernel)
    {
        var (kernel, arch) = (t ?? new TargetSpec(string.Empty, string.Empty)).Planned(runningKernel);
        return new CommandUnit(string.Empty, string.Empty, kernel, arch);
    }
}
