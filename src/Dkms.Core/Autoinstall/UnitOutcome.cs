using Dkms.Core.Actions;
using Dkms.Core.Signing;

namespace Dkms.Core.Autoinstall;

/// <summary>
/// One module autoinstall installs on its kernel, with the signing the run decided for that kernel: when
/// <paramref name="SigningDecided"/>, the unit uses <paramref name="Signing"/> and neither decides nor prints it again.
/// </summary>
public sealed record AutoinstallUnit(ModuleRef Module, KernelTarget Target, bool SigningDecided, SigningPlan? Signing);

/// <summary>
/// How a unit ended: its exit code, and, when the host buffered what it printed, the call that prints that block
/// (between dkms's "Autoinstall of module" lines). Null when the unit printed as it ran.
/// </summary>
public sealed record UnitOutcome(int ExitCode, Action? PrintBlock = null);
