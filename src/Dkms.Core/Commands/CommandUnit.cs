namespace Dkms.Core.Commands;

/// <summary>
/// One unit of a command's work: a module/version on a kernel/arch. A part the command leaves to the engine is
/// empty (an <c>add</c> has no kernel; <c>match</c> and <c>kernel_prerm</c> learn their modules as they run).
/// </summary>
public sealed record CommandUnit(string Module, string Version, string Kernel, string Arch)
{
    public static CommandUnit Of(Actions.ModuleRef mv, Actions.KernelTarget t) => new(mv.Module, mv.Version, t.Kernel, t.Arch);
}
