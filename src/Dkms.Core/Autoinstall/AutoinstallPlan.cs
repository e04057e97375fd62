using Dkms.Core.Actions;

namespace Dkms.Core.Autoinstall;

/// <summary>
/// What autoinstall found for a kernel: the modules installed already, and those it will install (newest version,
/// by name) with what each BUILD_DEPENDS on, the DAG <see cref="AutoinstallRun"/> walks.
/// </summary>
public sealed record AutoinstallPlan(IReadOnlyList<string> AlreadyInstalled, IReadOnlyList<(ModuleRef Module, IReadOnlySet<string> Depends)> Queue)
{
    /// <summary>The plan without the modules <paramref name="skip"/> names (a dependency on one then counts as missing).</summary>
    public AutoinstallPlan Without(Func<ModuleRef, bool> skip) => this with { Queue = [.. Queue.Where(q => !skip(q.Module))] };
}
