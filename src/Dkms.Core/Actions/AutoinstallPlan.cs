namespace Dkms.Core.Actions;

/// <summary>The modules autoinstall finds installed already, and those it will install with their BUILD_DEPENDS.</summary>
public sealed record AutoinstallPlan(IReadOnlyList<string> AlreadyInstalled, IReadOnlyList<(ModuleRef Module, HashSet<string> Depends)> Queue);
