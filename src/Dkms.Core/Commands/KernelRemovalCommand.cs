namespace Dkms.Core.Commands;

/// <summary><c>kernel_prerm</c>, or <c>kernel_preinst</c> when <paramref name="OnlyAutoinstall"/>.</summary>
public sealed record KernelRemovalCommand(TargetSpec? Target, bool OnlyAutoinstall, CommandOptions Options) : DkmsCommand(Options)
{
    public override DkmsAction Kind => DkmsAction.RemoveKernel;
}
